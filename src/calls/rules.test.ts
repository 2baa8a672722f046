import { describe, expect, it } from 'vitest';
import { CALL_REST_DAYS, onCallList } from './rules.ts';

const now = new Date('2026-12-03T09:00:00Z');
const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000);

describe('onCallList', () => {
  it('keeps customers never called, and those who did not answer', () => {
    expect(onCallList(null, now)).toBe(true);
    expect(onCallList({ outcome: 'no_answer', calledAt: daysAgo(0) }, now)).toBe(true);
  });
  it(`rests a customer who was reached for ${CALL_REST_DAYS} days, whatever came of the call`, () => {
    for (const outcome of ['reached', 'problem_found', 'order_promised'] as const) {
      expect(onCallList({ outcome, calledAt: daysAgo(1) }, now)).toBe(false);
      expect(onCallList({ outcome, calledAt: daysAgo(CALL_REST_DAYS - 0.01) }, now)).toBe(false);
      expect(onCallList({ outcome, calledAt: daysAgo(CALL_REST_DAYS) }, now)).toBe(true);
    }
  });
});
