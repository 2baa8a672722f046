import type { Clock } from './kernel/time.ts';

/** The real clock, for the shell only; pure code takes `now` as an argument. */
export const systemClock: Clock = () => new Date();
