import { DAY_MS } from '../kernel/time.ts';

/** What came of a call to a customer, in the order the dashboard offers them. */
export const CALL_OUTCOMES = ['reached', 'no_answer', 'problem_found', 'order_promised'] as const;
export type CallOutcome = (typeof CALL_OUTCOMES)[number];

/** Outcomes where someone spoke to the customer: the call list rests them for a while. */
export const REACHED_OUTCOMES: readonly CallOutcome[] = ['reached', 'problem_found', 'order_promised'];

/**
 * Days a customer stays off the call list after a call that reached them. Two weeks: long enough not
 * to pester (the brief: "without pestering"), short enough that a promised order that never came
 * brings them back while it still matters. "No answer" keeps them on the list.
 */
export const CALL_REST_DAYS = 14;

/** The longest note a call may carry. */
export const MAX_CALL_NOTE = 2000;

/**
 * Whether a customer belongs on today's call list given their latest call: not when someone reached
 * them in the last CALL_REST_DAYS days.
 * @example onCallList({ outcome: 'reached', calledAt: new Date('2026-12-01') }, new Date('2026-12-03')) // false
 */
export function onCallList(last: { outcome: CallOutcome; calledAt: Date } | null, now: Date): boolean {
  if (!last || !REACHED_OUTCOMES.includes(last.outcome)) return true;
  return now.getTime() - last.calledAt.getTime() >= CALL_REST_DAYS * DAY_MS;
}
