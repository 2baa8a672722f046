import { describe, expect, it } from 'vitest';
import { ACTIONS, ActionConfig } from './actions.ts';
import { CONDITIONS, ConditionConfig } from './conditions.ts';
import { Promotion } from './promotion.ts';

describe('registries', () => {
  it('every registered condition and action can be configured, and nothing else', () => {
    expect([...ConditionConfig.options.map((o) => o.shape.code.value)].sort()).toEqual(
      Object.keys(CONDITIONS).sort(),
    );
    expect([...ActionConfig.options.map((o) => o.shape.code.value)].sort()).toEqual(
      Object.keys(ACTIONS).sort(),
    );
    for (const [code, def] of [...Object.entries(CONDITIONS), ...Object.entries(ACTIONS)]) {
      expect(def.code).toBe(code);
      expect(def.description.length).toBeGreaterThan(10);
    }
  });

  it('validates rule arguments as typed values, never as strings', () => {
    expect(ConditionConfig.safeParse({ code: 'min_subtotal', args: { amountMinor: '5000' } }).success).toBe(
      false,
    );
    expect(ActionConfig.safeParse({ code: 'percent_off', args: { percentBps: 12_000 } }).success).toBe(false);
    expect(
      ActionConfig.safeParse({
        code: 'spend_threshold',
        args: { steps: [{ minSubtotalMinor: 1, amountOffMinor: 1, percentBps: 1 }] },
      }).success,
    ).toBe(false);
    expect(
      ConditionConfig.safeParse({
        code: 'yearly_window',
        args: { from: { month: 2, day: 30 }, to: { month: 3, day: 1 } },
      }).success,
    ).toBe(false);
    expect(ConditionConfig.safeParse({ code: 'no_such_rule', args: {} }).success).toBe(false);
  });
});

describe('Promotion', () => {
  it('fills defaults and normalises a shared code', () => {
    const p = Promotion.parse({
      id: 'summer',
      name: 'Summer',
      trigger: { type: 'code', code: ' summer-10 ' },
      actions: [{ code: 'percent_off', args: { percentBps: 1000 } }],
    });
    expect(p).toMatchObject({
      trigger: { type: 'code', code: 'SUMMER10' },
      priority: 100,
      stacking: 'combinable',
      class: null,
      limits: { totalUses: null, usesPerCustomer: null, budgetMinor: null },
      appliesTo: { productIds: [], categoryIds: [], excludeProductIds: [], excludeCategoryIds: [] },
      conditions: [],
      actions: [{ code: 'percent_off', args: { percentBps: 1000, maxDiscountMinor: null } }],
    });
  });

  it('needs an action and an end after the start', () => {
    expect(
      Promotion.safeParse({ id: 'x', name: 'x', trigger: { type: 'automatic' }, actions: [] }).success,
    ).toBe(false);
    const r = Promotion.safeParse({
      id: 'x',
      name: 'x',
      trigger: { type: 'automatic' },
      startsAt: 10,
      endsAt: 5,
      actions: [{ code: 'free_shipping', args: {} }],
    });
    expect(r.error?.issues[0]).toMatchObject({ path: ['endsAt'], message: 'endsAt must be after startsAt' });
  });
});
