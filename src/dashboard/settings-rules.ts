import { z } from 'zod';

/** Whether the runtime knows an IANA time zone ("Europe/Bucharest", "UTC"). */
export function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

/** A BCP 47 language tag in its canonical spelling ("ro", "pt-BR"), or null when it is not one. */
export function canonicalLanguage(tag: string): string | null {
  try {
    return Intl.getCanonicalLocales(tag)[0] ?? null;
  } catch {
    return null;
  }
}

/**
 * A change to a store's settings from the dashboard: every field optional, each checked with a
 * message a store owner can act on (shown next to the field).
 */
export const SettingsPatch = z
  .object({
    name: z.string().trim().min(1, 'enter the store name').max(200, 'at most 200 characters'),
    currency: z
      .string()
      .trim()
      .transform((c) => c.toUpperCase())
      .refine((c) => CURRENCIES.has(c), 'a three-letter ISO 4217 code such as EUR, USD or RON'),
    timezone: z.string().trim().refine(isTimeZone, 'a time zone such as Europe/Bucharest or UTC'),
    languages: z
      .array(
        z
          .string()
          .trim()
          .refine((t) => canonicalLanguage(t) !== null, 'a language code such as en or ro'),
      )
      .min(1, 'at least one language')
      .max(20, 'at most 20 languages')
      .transform((tags) => [...new Set(tags.map((t) => canonicalLanguage(t)!))]),
    analytics: z
      .object({
        sleepingFactor: z.number().min(1, 'at least 1').max(10, 'at most 10'),
        cacMinor: z.number().int('whole minor units (cents)').min(0, 'zero or more').max(1e12, 'too large'),
        horizonWeeks: z.number().int('whole weeks').min(4, 'at least 4 weeks').max(260, 'at most 260 weeks'),
        lifetimeYears: z.number().min(0.25, 'at least a quarter year').max(20, 'at most 20 years'),
        monthlyDiscountRate: z.number().min(0, 'zero or more').max(0.2, 'at most 0.2 (20 % a month)'),
        model: z.enum(['bgnbd', 'paretonbd', 'auto']),
      })
      .partial()
      .strict(),
  })
  .partial()
  .strict();
export type SettingsPatch = z.infer<typeof SettingsPatch>;

/** Whether a change alters what the scores would say: any analytics setting, or the currency they are summed in. */
export function affectsScores(
  patch: SettingsPatch,
  before: { currency: string; analytics: Record<string, unknown> },
): boolean {
  if (patch.currency !== undefined && patch.currency !== before.currency) return true;
  return Object.entries(patch.analytics ?? {}).some(([k, v]) => before.analytics[k] !== v);
}
