/** Milliseconds in a day; time in pure code is UTC epoch milliseconds, `now` passed in. */
export const DAY_MS = 86_400_000;

/** A clock injected into the shell; pure code takes `now` as an argument instead. */
export type Clock = () => Date;

/** Whole UTC days since the epoch, the unit purchases are merged on. */
export function utcDay(epochMs: number): number {
  return Math.floor(epochMs / DAY_MS);
}

/** 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z: the instants both databases and `Date#toISOString` agree on. */
export const MIN_STORABLE_MS = -62_135_596_800_000;
export const MAX_STORABLE_MS = 253_402_300_799_999;

/**
 * Whether an ISO-8601 date or instant lies in the years 0001–9999 (UTC). PostgreSQL has no year 0, and
 * an instant past 9999 in UTC (`9999-12-31T23:00-14:00`) prints as `+010000-…`, which it cannot read.
 */
export function isStorableInstant(iso: string): boolean {
  const ms = Date.parse(iso);
  return ms >= MIN_STORABLE_MS && ms <= MAX_STORABLE_MS;
}

const OFFSET_BUCKET_MS = 15 * 60_000;
const offsets = new Map<string, number>();

/**
 * A time zone's offset from UTC in minutes at the instant `atMs` (0 for an unknown zone). The
 * caller passes the instant, so this reads no clock. Remembered per zone and quarter hour (offsets
 * change only on quarter-hour boundaries): `toLocaleString` was 7 % of a checkout evaluation's CPU.
 */
export function utcOffsetMinutes(timezone: string, atMs: number): number {
  const key = `${timezone}@${Math.floor(atMs / OFFSET_BUCKET_MS)}`;
  const known = offsets.get(key);
  if (known !== undefined) return known;
  let offset = 0;
  try {
    const d = new Date(atMs);
    const local = Date.parse(`${d.toLocaleString('en-US', { timeZone: timezone })} UTC`);
    const utc = Date.parse(`${d.toLocaleString('en-US', { timeZone: 'UTC' })} UTC`);
    offset = Number.isNaN(local - utc) ? 0 : Math.round((local - utc) / 60_000);
  } catch {}
  if (offsets.size > 10_000) offsets.clear();
  offsets.set(key, offset);
  return offset;
}
