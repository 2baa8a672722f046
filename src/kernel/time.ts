/** Milliseconds in a day; time in pure code is UTC epoch milliseconds, `now` passed in. */
export const DAY_MS = 86_400_000;

/** A clock injected into the shell; pure code takes `now` as an argument instead. */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();

/** Whole UTC days since the epoch, the unit purchases are merged on. */
export function utcDay(epochMs: number): number {
  return Math.floor(epochMs / DAY_MS);
}
