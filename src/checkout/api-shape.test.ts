import { describe, expect, it } from 'vitest';
import { toApiShape } from './api-shape.ts';

describe('toApiShape', () => {
  it('snake-cases keys at every depth and turns …At epoch milliseconds into ISO-8601, leaving values alone', () => {
    expect(
      toApiShape({
        rejectedCodes: [{ code: 'X', reason: 'not_started', startsAt: 0, detail: { minSubtotalMinor: 5 } }],
        lineId: 'l1',
        tierProgress: null,
      }),
    ).toEqual({
      rejected_codes: [
        {
          code: 'X',
          reason: 'not_started',
          starts_at: '1970-01-01T00:00:00.000Z',
          detail: { min_subtotal_minor: 5 },
        },
      ],
      line_id: 'l1',
      tier_progress: null,
    });
  });
});
