import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { apiPath, apiSchema, fromApiShape, mergePatch, toApiShape } from './api-shape.ts';

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

  it('fromApiShape inverts toApiShape: camelCase keys and ISO-8601 …_at strings back to epoch milliseconds', () => {
    const core = { startsAt: 1_700_000_000_000, limits: { totalUses: 3 }, ids: ['a_b'], endsAt: null };
    expect(fromApiShape(toApiShape(core))).toEqual(core);
  });

  it('apiPath names a core issue the way the API spells it', () => {
    expect(apiPath(['conditions', 0, 'args', 'amountMinor'])).toBe('conditions[0].args.amount_minor');
    expect(apiPath([])).toBe('(root)');
  });

  it('apiSchema derives a strict snake_case schema: ISO times, defaults and checks kept, camelCase refused', () => {
    const core = z.object({
      startsAt: z.number().int().nullable().default(null),
      limits: z.object({ totalUses: z.number().int().min(1).nullable().default(null) }).prefault({}),
    });
    const api = apiSchema(core);
    expect(api.parse({ starts_at: '2026-01-01T00:00:00Z' })).toEqual({
      starts_at: '2026-01-01T00:00:00Z',
      limits: { total_uses: null },
    });
    expect(api.safeParse({ limits: { total_uses: 0 } }).success).toBe(false);
    expect(api.safeParse({ startsAt: 0 }).success).toBe(false);
    expect(apiSchema(core, { defaults: false }).parse({})).toEqual({});
  });

  it('mergePatch merges objects key by key and replaces arrays and scalars', () => {
    expect(mergePatch({ a: { x: 1, y: 2 }, b: [1, 2], c: 1 }, { a: { y: null }, b: [3] })).toEqual({
      a: { x: 1, y: null },
      b: [3],
      c: 1,
    });
  });
});
