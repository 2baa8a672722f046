/**
 * A store's loyalty program as one validated value: earn rates and multipliers, bonuses,
 * return window and expiry, redemption rate, tiers and the Nth-order certificate. The API
 * validates it with this schema; the pure rules read the parsed value (defaults filled in).
 */
import { z } from 'zod';

const points = z.number().int().min(0).max(1_000_000_000);
/** Multipliers in basis points: 10 000 = ×1, 20 000 = ×2; up to ×100. */
const multiplierBps = z.number().int().min(0).max(1_000_000);
const minor = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const id = z.string().trim().min(1).max(255);
const epochMs = z.number().int();
const days = z.number().int().min(0).max(3660);
const currency = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR');

/** What a tier gives: an earn multiplier, a standing percentage discount, free shipping. */
export const TierBenefits = z.object({
  earnMultiplierBps: multiplierBps.default(10_000),
  discountBps: z
    .number()
    .int()
    .min(0)
    .max(10_000)
    .default(0)
    .describe('the cumulative discount, e.g. 500 = 5 %'),
  freeShipping: z.boolean().default(false),
});
export type TierBenefits = z.infer<typeof TierBenefits>;

/** One VIP level. Levels are listed from lowest to highest. */
export const TierLevel = z.object({
  code: z.string().trim().min(1).max(50),
  name: z.string().trim().min(1).max(100),
  minSpendMinor: minor.default(0).describe('rolling-window spend that qualifies (basis "spend")'),
  minOrders: z
    .number()
    .int()
    .min(0)
    .default(0)
    .describe('rolling-window orders that qualify (basis "orders")'),
  benefits: TierBenefits.prefault({}),
  membership: z
    .object({ priceMinor: minor, periodDays: z.number().int().min(1).max(3660) })
    .nullable()
    .default(null)
    .describe('set to sell this tier as a paid membership'),
  membershipOnly: z.boolean().default(false).describe('only reachable by paying, never by spend'),
});
export type TierLevel = z.infer<typeof TierLevel>;

export const TierProgram = z
  .object({
    basis: z.enum(['spend', 'orders']).default('spend'),
    windowDays: z.number().int().min(1).max(3660).default(365),
    graceDays: days.default(30).describe('how long a customer keeps a tier after falling below it'),
    renewalReminderDays: days.default(14),
    levels: z.array(TierLevel).max(20).default([]),
  })
  .superRefine((t, ctx) => {
    const seen = new Set<string>();
    let last = -1;
    t.levels.forEach((l, i) => {
      if (seen.has(l.code))
        ctx.addIssue({ code: 'custom', path: ['levels', i, 'code'], message: 'duplicate tier code' });
      seen.add(l.code);
      if (l.membershipOnly) return;
      const threshold = t.basis === 'spend' ? l.minSpendMinor : l.minOrders;
      if (threshold < last)
        ctx.addIssue({
          code: 'custom',
          path: ['levels', i],
          message: 'levels must go from lowest to highest',
        });
      last = threshold;
    });
  });
export type TierProgram = z.infer<typeof TierProgram>;

export const LoyaltyProgram = z.object({
  currency,
  earn: z
    .object({
      points: points.default(1),
      perAmountMinor: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).default(100),
    })
    .prefault({})
    .describe('`points` for every `perAmountMinor` paid: the default is 1 point per 1.00'),
  productMultipliers: z
    .array(z.object({ productIds: z.array(id).min(1), multiplierBps }))
    .max(200)
    .default([]),
  categoryMultipliers: z
    .array(z.object({ categoryIds: z.array(id).min(1), multiplierBps }))
    .max(200)
    .default([]),
  campaigns: z
    .array(
      z.object({
        id,
        startsAt: epochMs,
        endsAt: epochMs,
        multiplierBps,
        productIds: z.array(id).default([]).describe('empty: every product'),
        categoryIds: z.array(id).default([]),
      }),
    )
    .max(100)
    .default([]),
  orderBonuses: z
    .array(z.object({ minTotalMinor: minor, points }))
    .max(20)
    .default([])
    .describe('points for an order above an amount; the highest one reached counts'),
  bonuses: z
    .object({
      firstOrder: points.default(0),
      birthday: points.default(0),
      survey: points.default(0),
      signup: points.default(0),
    })
    .prefault({}),
  referral: z
    .object({
      referrerPoints: points.default(0),
      refereePoints: points.default(0),
      minOrderMinor: minor.default(0),
    })
    .prefault({}),
  pendingDays: days.default(14).describe('the return window: earned points are pending this long'),
  expiryDays: z.number().int().min(1).max(3660).nullable().default(90).describe('null: points never expire'),
  expiryReminderDays: z
    .number()
    .int()
    .min(1)
    .max(365)
    .default(14)
    .describe('the "points expiring in N days" event goes out this many days before a lot lapses'),
  redemption: z
    .object({
      points: z.number().int().min(1).default(100),
      valueMinor: z.number().int().min(1).default(100),
      minPoints: points.default(0),
      maxPointsPerOrder: points.nullable().default(null),
      maxShareBps: z.number().int().min(0).max(10_000).default(10_000).describe('of the order total'),
    })
    .prefault({})
    .describe('`points` are worth `valueMinor`: the default is 100 points = 1.00'),
  tiers: TierProgram.prefault({}),
  certificate: z
    .object({
      every: z.number().int().min(1).max(1000).default(5),
      promotionId: id.describe('the personal promotion each certificate is a code of'),
      validDays: z.number().int().min(1).max(3660).nullable().default(60),
    })
    .nullable()
    .default(null),
});
export type LoyaltyProgram = z.infer<typeof LoyaltyProgram>;
export type LoyaltyProgramInput = z.input<typeof LoyaltyProgram>;
