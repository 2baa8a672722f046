import { z } from 'zod';
import { isStorableInstant } from '../kernel/time.ts';

const externalId = z.string().trim().min(1).max(255);
const isoInstant = z.iso
  .datetime({ offset: true })
  .refine(isStorableInstant, 'must lie between the years 0001 and 9999');
const email = z.string().trim().toLowerCase().max(320).pipe(z.email());

export const ConsentChannel = z.enum(['email', 'sms', 'phone']);
export type ConsentChannel = z.infer<typeof ConsentChannel>;

/** A consent change as the store reports it; history is append-only, current state derived. */
export const ConsentInput = z.object({
  channel: ConsentChannel,
  status: z.enum(['granted', 'withdrawn']),
  source: z.string().max(200).nullish().describe('where it was given: checkout, signup form, import …'),
  text_shown: z.string().max(4000).nullish().describe('the exact consent text the customer saw'),
  ip: z.string().max(64).nullish(),
  user_agent: z.string().max(1000).nullish(),
  double_opt_in_confirmed_at: isoInstant.nullish(),
  occurred_at: isoInstant.nullish().describe('when it happened; defaults to now'),
});
export type ConsentInput = z.infer<typeof ConsentInput>;

/** A postal address; the referral program refuses a new customer at the referrer's address. */
export const Address = z.object({
  line1: z.string().trim().min(1).max(200).describe('street and number'),
  line2: z.string().trim().max(200).nullish(),
  postal_code: z.string().trim().max(20).nullish(),
  city: z.string().trim().max(100).nullish(),
  region: z.string().trim().max(100).nullish(),
  country: z
    .string()
    .regex(/^[A-Za-z]{2}$/, 'must be an ISO 3166-1 alpha-2 country code')
    .transform((c) => c.toUpperCase())
    .nullish(),
});
export type Address = z.infer<typeof Address>;

/** A customer as the store sends it, upserted by `external_id`. */
export const CustomerInput = z.object({
  external_id: externalId,
  email: email.nullish(),
  phone: z.string().trim().max(40).nullish(),
  first_name: z.string().trim().max(200).nullish(),
  last_name: z.string().trim().max(200).nullish(),
  birthday: z.iso
    .date()
    .refine(isStorableInstant, 'must lie between the years 0001 and 9999')
    .nullish()
    .describe('YYYY-MM-DD'),
  locale: z.string().trim().max(35).nullish(),
  timezone: z.string().trim().max(64).nullish(),
  tags: z.array(z.string().trim().min(1).max(100)).max(100).nullish(),
  account_manager: z.string().trim().max(320).nullish(),
  attributes: z.record(z.string(), z.unknown()).nullish(),
  address: Address.nullish().describe('postal address; null clears it'),
  created_at: isoInstant.nullish().describe("when the customer was created in the store's system"),
  updated_at: isoInstant.nullish().describe("the source's last change; a late older version never wins"),
  consents: z.array(ConsentInput).max(20).nullish(),
});
export type CustomerInput = z.infer<typeof CustomerInput>;

/** The customer reference inside an order or cart: same fields, all but the id optional. */
export const CustomerRef = CustomerInput.omit({ consents: true, updated_at: true });
export type CustomerRef = z.infer<typeof CustomerRef>;
