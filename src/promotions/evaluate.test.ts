import { describe, expect, it } from 'vitest';
import { DAY_MS } from '../kernel/time.ts';
import { LoyaltyProgram } from '../loyalty/index.ts';
import { evaluateCheckout } from './evaluate.ts';
import { checkout, coded, customer, LINES, NOW, promo, record } from './test-fixtures.ts';
import type { CheckoutInput, CodeRejection } from './types.ts';

const pct = (percentBps: number) => ({ code: 'percent_off' as const, args: { percentBps } });
const off = (amountMinor: number) => ({ code: 'amount_off' as const, args: { amountMinor } });

function only(input: Partial<CheckoutInput>) {
  return evaluateCheckout(checkout(input));
}

function rejection(input: Partial<CheckoutInput>): CodeRejection {
  const r = only(input);
  expect(r.discounts.filter((d) => d.source === 'code')).toEqual([]);
  expect(r.rejectedCodes).toHaveLength(1);
  return r.rejectedCodes[0];
}

describe('promotion types', () => {
  it('percent off: 10 % of 65.00, split over lines by largest remainder', () => {
    const r = only({ promotions: [coded('SUMMER10', { actions: [pct(1000)] })], codes: ['summer-10'] });
    expect(r.discounts).toEqual([
      {
        promotionId: 'summer10',
        name: 'summer10',
        code: 'SUMMER10',
        source: 'code',
        amountMinor: 650,
        linesMinor: 650,
        lines: [
          { lineId: 'l1', amountMinor: 400 },
          { lineId: 'l2', amountMinor: 100 },
          { lineId: 'l3', amountMinor: 150 },
        ],
        shippingMinor: 0,
        points: 0,
        budgetCapped: false,
      },
    ]);
    expect(r.totalMinor).toBe(6500 - 650 + 490);
    expect(r.rejectedCodes).toEqual([]);
  });

  it('fixed amount off: the parts add up to exactly 10.00', () => {
    const r = only({ promotions: [promo({ actions: [off(1000)] })] });
    expect(r.discounts[0].lines.map((l) => l.amountMinor)).toEqual([615, 154, 231]);
    expect(r.lines.map((l) => l.totalMinor)).toEqual([3385, 846, 1269]);
  });

  it('free shipping takes the shipping to zero', () => {
    const r = only({ promotions: [promo({ actions: [{ code: 'free_shipping', args: {} }] })] });
    expect(r.shipping).toEqual({ amountMinor: 490, discountMinor: 490, totalMinor: 0, free: true });
    expect(r.discounts[0]).toMatchObject({ linesMinor: 0, shippingMinor: 490, lines: [] });
  });

  it('gift card pays lines then shipping from its balance and is debited by what it paid', () => {
    const gift = promo({
      id: 'gift',
      trigger: { type: 'unique_codes' },
      actions: [{ code: 'gift_card', args: {} }],
    });
    const big = only({
      promotions: [gift],
      codes: ['GIFT-AAAA'],
      codeRecords: [record('GIFTAAAA', 'gift', { balanceMinor: 7000 })],
    });
    expect(big.totalMinor).toBe(0);
    expect(big.effects).toContainEqual({
      type: 'debit_gift_card',
      code: 'GIFTAAAA',
      promotionId: 'gift',
      amountMinor: 6990,
      balanceMinor: 7000,
    });
    const small = only({
      promotions: [gift],
      codes: ['GIFTAAAA'],
      codeRecords: [record('GIFTAAAA', 'gift', { balanceMinor: 3000 })],
    });
    expect(small.discounts[0]).toMatchObject({ amountMinor: 3000, shippingMinor: 0 });
    const empty = rejection({
      promotions: [gift],
      codes: ['GIFTAAAA'],
      codeRecords: [record('GIFTAAAA', 'gift', { balanceMinor: 0 })],
    });
    expect(empty).toMatchObject({
      reason: 'gift_card_empty',
      message: 'This gift card has no balance left.',
    });
  });

  it('buy 2 get 1 free gives the cheapest covered item', () => {
    const r = only({
      promotions: [
        promo({
          appliesTo: { categoryIds: ['apparel'] },
          actions: [{ code: 'buy_x_get_y', args: { buyQuantity: 2, getQuantity: 1 } }],
        }),
      ],
    });
    expect(r.discounts[0].lines).toEqual([{ lineId: 'l3', amountMinor: 500 }]);
  });

  it('50 % off the second item: every pair gives its cheaper item half off', () => {
    const lines = [
      { ...LINES[0], quantity: 1 },
      { ...LINES[2], quantity: 1, unitPriceMinor: 1200 },
      { ...LINES[1] },
    ];
    const r = only({
      lines,
      promotions: [
        promo({
          actions: [{ code: 'buy_x_get_y', args: { buyQuantity: 1, getQuantity: 1, percentBps: 5000 } }],
        }),
      ],
    });
    // 3 items → one pair; the cheapest item (the 10.00 mug) is half off.
    expect(r.discounts[0].lines).toEqual([{ lineId: 'l2', amountMinor: 500 }]);
    const one = only({
      lines: [LINES[1]],
      codes: ['SECOND'],
      promotions: [
        coded('SECOND', {
          actions: [{ code: 'buy_x_get_y', args: { buyQuantity: 1, getQuantity: 1, percentBps: 5000 } }],
        }),
      ],
    });
    expect(one.rejectedCodes[0]).toMatchObject({
      reason: 'not_eligible',
      detail: { condition: 'buy_quantity', quantity: 2 },
    });
  });

  it('spend threshold: the highest step reached counts', () => {
    const steps = {
      code: 'spend_threshold' as const,
      args: {
        steps: [
          { minSubtotalMinor: 5000, amountOffMinor: 500 },
          { minSubtotalMinor: 6000, percentBps: 1500 },
        ],
      },
    };
    expect(only({ promotions: [promo({ actions: [steps] })] }).discountMinor).toBe(975);
    const below = only({
      lines: [LINES[1]],
      codes: ['BIG'],
      promotions: [coded('BIG', { actions: [steps] })],
    });
    expect(below.rejectedCodes[0]).toMatchObject({
      reason: 'not_eligible',
      detail: { condition: 'min_subtotal', minSubtotalMinor: 5000, subtotalMinor: 1000 },
      message: 'Spend at least 50.00 EUR on eligible items (40.00 more).',
    });
  });

  it('personal: a code bound to one customer, or a promotion for listed customers', () => {
    const personal = promo({ id: 'cert', trigger: { type: 'unique_codes' }, actions: [off(500)] });
    const rec = record('CERT1234', 'cert', { customerId: 'cus_1' });
    expect(only({ promotions: [personal], codes: ['CERT1234'], codeRecords: [rec] }).discountMinor).toBe(500);
    expect(
      rejection({
        customer: customer({ customerId: 'cus_2' }),
        promotions: [personal],
        codes: ['CERT1234'],
        codeRecords: [rec],
      }),
    ).toMatchObject({ reason: 'not_eligible', detail: { condition: 'customer' } });
    expect(
      rejection({
        customer: customer({ customerId: 'cus_2' }),
        codes: ['VIP'],
        promotions: [
          coded('VIP', {
            conditions: [{ code: 'customer', args: { customerIds: ['cus_1'] } }],
            actions: [off(500)],
          }),
        ],
      }),
    ).toMatchObject({ reason: 'not_eligible', message: 'This code is personal to another customer.' });
  });

  it('holiday: a date window, and a yearly window such as 24–26 December', () => {
    const xmas = coded('XMAS', {
      conditions: [
        { code: 'yearly_window', args: { from: { month: 12, day: 24 }, to: { month: 12, day: 26 } } },
      ],
      actions: [pct(2000)],
    });
    expect(only({ promotions: [xmas], codes: ['XMAS'], now: Date.UTC(2025, 11, 25) }).discountMinor).toBe(
      1300,
    );
    expect(rejection({ promotions: [xmas], codes: ['XMAS'] })).toMatchObject({
      reason: 'not_eligible',
      message: 'Valid from 24/12 to 26/12 only.',
    });
    const sale = coded('SALE', { startsAt: NOW + DAY_MS, endsAt: NOW + 2 * DAY_MS, actions: [pct(1000)] });
    expect(rejection({ promotions: [sale], codes: ['SALE'] })).toMatchObject({
      reason: 'not_started',
      message: 'This code is valid from 2025-06-16.',
    });
    expect(rejection({ promotions: [sale], codes: ['SALE'], now: NOW + 2 * DAY_MS })).toMatchObject({
      reason: 'expired',
      endedAt: NOW + 2 * DAY_MS,
    });
  });

  it('birthday: valid from the birthday for a week', () => {
    const bday = coded('BDAY', { conditions: [{ code: 'birthday', args: {} }], actions: [pct(1500)] });
    const c = (month: number, day: number) => customer({ birthday: { month, day } });
    expect(only({ promotions: [bday], codes: ['BDAY'], customer: c(6, 10) }).discountMinor).toBe(975);
    expect(rejection({ promotions: [bday], codes: ['BDAY'], customer: c(6, 1) })).toMatchObject({
      reason: 'not_eligible',
      detail: { condition: 'birthday', daysBefore: 0, daysAfter: 7 },
    });
    expect(rejection({ promotions: [bday], codes: ['BDAY'], customer: customer() })).toMatchObject({
      reason: 'not_eligible',
    });
  });

  it('bonus points add to what the order earns', () => {
    const loyalty = LoyaltyProgram.parse({ currency: 'EUR' });
    const r = only({
      loyalty,
      promotions: [promo({ actions: [{ code: 'bonus_points', args: { points: 50 } }] })],
    });
    expect(r.discountMinor).toBe(0);
    expect(r.points.toEarn).toMatchObject({ points: 65 + 50, promotionPoints: 50 });
  });
});

describe('eligibility: each condition says why it failed', () => {
  const withCondition = (condition: NonNullable<Parameters<typeof promo>[0]['conditions']>[number]) =>
    coded('C', { conditions: [condition], actions: [pct(1000)] });
  const cases: Array<[string, Parameters<typeof withCondition>[0], Partial<CheckoutInput>, string]> = [
    [
      'min_subtotal',
      { code: 'min_subtotal', args: { amountMinor: 10_000 } },
      {},
      'Spend at least 100.00 EUR on eligible items (35.00 more).',
    ],
    [
      'min_quantity',
      { code: 'min_quantity', args: { quantity: 10 } },
      {},
      'Add at least 10 eligible items (you have 6).',
    ],
    ['customer_tier', { code: 'customer_tier', args: { tiers: ['gold'] } }, {}, 'For gold members only.'],
    [
      'customer_segment',
      { code: 'customer_segment', args: { segments: ['vip'] } },
      {},
      'This offer is not available for your account.',
    ],
    ['first_order', { code: 'first_order', args: {} }, {}, 'Valid on a first order only.'],
    [
      'order_count',
      { code: 'order_count', args: { min: 5 } },
      {},
      'Not available for your number of orders.',
    ],
    ['channel', { code: 'channel', args: { channels: ['pos'] } }, {}, 'Only valid in: pos.'],
  ];
  for (const [name, condition, extra, message] of cases)
    it(`${name}: refused with its message`, () => {
      expect(rejection({ promotions: [withCondition(condition)], codes: ['C'], ...extra })).toMatchObject({
        reason: 'not_eligible',
        detail: { condition: name },
        message,
      });
    });

  it('the conditions pass for a customer who meets them', () => {
    const r = only({
      customer: customer({ tier: 'gold', segments: ['vip'], orderCount: 0 }),
      channel: 'pos',
      codes: ['C'],
      promotions: [
        coded('C', {
          conditions: [
            { code: 'customer_tier', args: { tiers: ['gold'] } },
            { code: 'customer_segment', args: { segments: ['vip', 'press'] } },
            { code: 'first_order', args: {} },
            { code: 'channel', args: { channels: ['pos'] } },
            { code: 'min_quantity', args: { quantity: 6 } },
          ],
          actions: [pct(1000)],
        }),
      ],
    });
    expect(r.discountMinor).toBe(650);
  });

  it('include/exclude products and categories decide the covered lines', () => {
    const r = only({
      promotions: [
        promo({
          appliesTo: { categoryIds: ['apparel'], excludeProductIds: ['socks'] },
          actions: [pct(5000)],
        }),
      ],
    });
    expect(r.discounts[0].lines).toEqual([{ lineId: 'l1', amountMinor: 2000 }]);
    expect(
      rejection({
        codes: ['C'],
        promotions: [coded('C', { appliesTo: { productIds: ['hat'] }, actions: [pct(1000)] })],
      }),
    ).toMatchObject({ reason: 'not_eligible', detail: { condition: 'products' } });
  });

  it("the customer's usage so far, total uses and the budget", () => {
    const limited = coded('ONCE', {
      limits: { usesPerCustomer: 1, totalUses: 100, budgetMinor: 10_000 },
      actions: [off(1000)],
    });
    expect(
      rejection({
        promotions: [limited],
        codes: ['ONCE'],
        customer: customer({ promotionUses: { once: 1 } }),
      }),
    ).toMatchObject({
      reason: 'usage_limit_reached',
      limit: 'per_customer',
      message: 'You have used this offer already.',
    });
    expect(
      rejection({ promotions: [limited], codes: ['ONCE'], customer: customer({ customerId: null }) }),
    ).toMatchObject({
      reason: 'customer_required',
    });
    expect(
      rejection({ promotions: [limited], codes: ['ONCE'], usage: { once: { uses: 100, spentMinor: 0 } } }),
    ).toMatchObject({
      reason: 'usage_limit_reached',
      limit: 'total',
      message: 'This offer has been fully redeemed.',
    });
    expect(
      rejection({ promotions: [limited], codes: ['ONCE'], usage: { once: { uses: 5, spentMinor: 10_000 } } }),
    ).toMatchObject({
      reason: 'budget_exhausted',
    });
    const capped = only({
      promotions: [limited],
      codes: ['ONCE'],
      usage: { once: { uses: 5, spentMinor: 9_700 } },
    });
    expect(capped.discounts[0]).toMatchObject({ amountMinor: 300, budgetCapped: true });
    expect(capped.discounts[0].lines.reduce((a, l) => a + l.amountMinor, 0)).toBe(300);
  });

  it("debits a code's balance only for a promotion that pays from it (gift_card)", () => {
    const half = promo({ id: 'half', trigger: { type: 'unique_codes' }, actions: [pct(5000)] });
    const r = only({
      promotions: [half],
      codes: ['HALF2345'],
      codeRecords: [record('HALF2345', 'half', { balanceMinor: 100 })],
    });
    expect(r.rejectedCodes).toEqual([]);
    expect(r.effects.filter((e) => e.type === 'debit_gift_card')).toEqual([]);
    expect(r.effects).toContainEqual({ type: 'redeem_code', code: 'HALF2345', promotionId: 'half' });
  });

  it('a shared code several promotions use belongs to the one that can apply now', () => {
    // Last year's WELCOME (ended, first by priority), this year's, and one for another currency.
    const old = coded('WELCOME', {
      id: 'welcome-2020',
      priority: 1,
      endsAt: NOW - 300 * DAY_MS,
      actions: [off(900)],
    });
    const usd = coded('WELCOME', { id: 'welcome-usd', priority: 2, currency: 'USD', actions: [off(800)] });
    const now = coded('WELCOME', { id: 'welcome-now', priority: 50, actions: [off(500)] });
    for (const promotions of [
      [old, usd, now],
      [now, usd, old],
    ]) {
      const r = only({ promotions, codes: ['WELCOME'] });
      expect(r.rejectedCodes).toEqual([]);
      expect(r.discounts.map((d) => d.promotionId)).toEqual(['welcome-now']);
    }
    // None can apply: the one that runs first answers, with its reason.
    expect(rejection({ promotions: [old, usd], codes: ['WELCOME'] })).toMatchObject({ reason: 'expired' });
  });

  it('unknown, duplicate, used, expired and wrong-currency codes', () => {
    const single = promo({ id: 'single', trigger: { type: 'unique_codes' }, actions: [off(500)] });
    const r = only({
      promotions: [single, coded('USD5', { currency: 'USD', actions: [off(500)] })],
      codes: ['NOPE', 'ABCD2345', 'abcd-2345', 'USED2345', 'OLD23456', 'USD5'],
      codeRecords: [
        record('ABCD2345', 'single'),
        record('USED2345', 'single', { redeemed: true }),
        record('OLD23456', 'single', { expiresAt: NOW - 1 }),
      ],
    });
    expect(r.rejectedCodes.map((c) => [c.code, c.reason])).toEqual([
      ['NOPE', 'unknown_code'],
      ['abcd-2345', 'duplicate_code'],
      ['USED2345', 'duplicate_code'],
      ['OLD23456', 'duplicate_code'],
      ['USD5', 'currency_mismatch'],
    ]);
    expect(r.effects).toContainEqual({ type: 'redeem_code', code: 'ABCD2345', promotionId: 'single' });
    expect(
      rejection({
        promotions: [single],
        codes: ['USED2345'],
        codeRecords: [record('USED2345', 'single', { redeemed: true })],
      }),
    ).toMatchObject({ reason: 'code_used' });
    expect(
      rejection({
        promotions: [single],
        codes: ['OLD23456'],
        codeRecords: [record('OLD23456', 'single', { expiresAt: NOW - 1 })],
      }),
    ).toMatchObject({ reason: 'expired', endedAt: NOW - 1 });
  });
});

describe('stacking', () => {
  it('runs in priority order, each on what is left', () => {
    const r = only({
      promotions: [
        promo({ id: 'b', priority: 20, actions: [pct(1000)] }),
        promo({ id: 'a', priority: 10, actions: [off(1500)] }),
      ],
    });
    expect(r.discounts.map((d) => [d.promotionId, d.amountMinor])).toEqual([
      ['a', 1500],
      ['b', 500],
    ]);
  });

  it('an exclusive promotion that runs first stops the rest, naming itself', () => {
    const r = only({
      codes: ['TEN'],
      promotions: [
        promo({ id: 'solo', priority: 1, stacking: 'exclusive', actions: [pct(2000)] }),
        coded('TEN', { actions: [off(1000)] }),
      ],
    });
    expect(r.discounts.map((d) => d.promotionId)).toEqual(['solo']);
    expect(r.rejectedCodes[0]).toMatchObject({
      reason: 'not_combinable',
      with: { promotionId: 'solo', name: 'solo', code: null },
      message: 'Cannot be combined with solo.',
    });
  });

  it('an exclusive code after something applied is refused as not combinable', () => {
    const r = only({
      codes: ['ALONE'],
      promotions: [
        promo({ id: 'auto', priority: 1, actions: [off(100)] }),
        coded('ALONE', { stacking: 'exclusive', actions: [pct(2000)] }),
      ],
    });
    expect(r.rejectedCodes[0]).toMatchObject({ reason: 'not_combinable', with: { promotionId: 'auto' } });
  });

  it('at most one promotion of a class', () => {
    const r = only({
      codes: ['A10', 'B20'],
      promotions: [
        coded('A10', { class: 'coupon', priority: 1, actions: [pct(1000)] }),
        coded('B20', { class: 'coupon', priority: 2, actions: [pct(2000)] }),
      ],
    });
    expect(r.discounts.map((d) => d.code)).toEqual(['A10']);
    expect(r.rejectedCodes[0]).toMatchObject({
      code: 'B20',
      reason: 'class_limit',
      class: 'coupon',
      message: 'Only one coupon offer per order: A10 applies already.',
    });
  });

  it('a code with nothing left to discount is refused', () => {
    const r = only({
      codes: ['SHIP'],
      shippingMinor: 0,
      promotions: [coded('SHIP', { actions: [{ code: 'free_shipping', args: {} }] })],
    });
    expect(r.rejectedCodes[0]).toMatchObject({ reason: 'nothing_to_discount' });
  });
});

describe('loyalty at checkout', () => {
  const loyalty = LoyaltyProgram.parse({
    currency: 'EUR',
    redemption: { points: 100, valueMinor: 100, maxShareBps: 5000 },
    tiers: {
      levels: [
        {
          code: 'silver',
          name: 'Silver',
          minSpendMinor: 10_000,
          benefits: { discountBps: 500, earnMultiplierBps: 20_000 },
        },
        { code: 'gold', name: 'Gold', minSpendMinor: 50_000, benefits: { freeShipping: true } },
      ],
    },
  });

  it("a gift card pays what the discounts (the tier's too) left, and what it pays earns points", () => {
    const gift = promo({
      id: 'gift',
      priority: 1,
      trigger: { type: 'unique_codes' },
      actions: [{ code: 'gift_card', args: {} }],
    });
    const silver = customer({ tier: 'silver' });
    const withCard = only({
      loyalty,
      customer: silver,
      promotions: [gift],
      codes: ['GIFTAAAA'],
      codeRecords: [record('GIFTAAAA', 'gift', { balanceMinor: 3000 })],
    });
    const without = only({ loyalty, customer: silver });
    expect(withCard.discounts.map((d) => [d.source, d.amountMinor])).toEqual([
      ['tier', 325],
      ['code', 3000],
    ]);
    expect(withCard.totalMinor).toBe(6500 - 325 - 3000 + 490);
    expect(withCard.points.toEarn).toEqual(without.points.toEarn);
    expect(withCard.tierProgress).toEqual(without.tierProgress);
    // Points are a discount too: they are redeemed first, and the card pays the rest.
    const both = only({
      loyalty,
      customer: customer({ tier: 'silver', availablePoints: 5000 }),
      points: 1000,
      promotions: [gift],
      codes: ['GIFTAAAA'],
      codeRecords: [record('GIFTAAAA', 'gift', { balanceMinor: 9000 })],
    });
    expect(both.points).toMatchObject({ redeemed: 1000, valueMinor: 1000, rejection: null });
    expect(both.effects).toContainEqual(
      expect.objectContaining({ type: 'debit_gift_card', amountMinor: 6500 - 325 - 1000 + 490 }),
    );
    expect(both.totalMinor).toBe(0);
    // An exclusive promotion excludes other discounts, not paying by gift card.
    const solo = promo({
      id: 'solo',
      stacking: 'exclusive',
      actions: [{ code: 'amount_off', args: { amountMinor: 500 } }],
    });
    const r = only({
      promotions: [solo, gift],
      codes: ['GIFTAAAA'],
      codeRecords: [record('GIFTAAAA', 'gift', { balanceMinor: 3000 })],
    });
    expect(r.rejectedCodes).toEqual([]);
    expect(r.discounts.map((d) => d.promotionId)).toEqual(['solo', 'gift']);
  });

  it("an exclusive offer neither removes nor is refused for the customer's tier benefits", () => {
    const silver = customer({ tier: 'silver' });
    const off = (amountMinor: number) => ({ code: 'amount_off' as const, args: { amountMinor } });
    const early = promo({ id: 'early', priority: 10, stacking: 'exclusive', actions: [off(500)] });
    const late = coded('LATE', { priority: 2000, stacking: 'exclusive', actions: [off(300)] });
    const r = only({ loyalty, customer: silver, promotions: [early] });
    expect(r.discounts.map((d) => d.source)).toEqual(['automatic', 'tier']);
    const c = only({ loyalty, customer: silver, promotions: [late], codes: ['LATE'] });
    expect(c.rejectedCodes).toEqual([]);
    expect(c.discounts.map((d) => d.source)).toEqual(['tier', 'code']);
    // Between offers it still holds.
    expect(
      rejection({ loyalty, customer: silver, promotions: [early, late], codes: ['LATE'] }),
    ).toMatchObject({
      reason: 'not_combinable',
      with: { promotionId: 'early' },
    });
  });

  it('redeems points as money off the lines, then earns on what is paid', () => {
    const r = only({ loyalty, points: 1000, customer: customer({ availablePoints: 5000 }) });
    expect(r.points).toMatchObject({
      requested: 1000,
      redeemed: 1000,
      valueMinor: 1000,
      capped: null,
      rejection: null,
    });
    expect(r.points.lines.reduce((a, l) => a + l.amountMinor, 0)).toBe(1000);
    expect(r.totalMinor).toBe(6500 - 1000 + 490);
    expect(r.points.toEarn?.points).toBe(55);
    expect(r.effects).toContainEqual({ type: 'redeem_points', customerId: 'cus_1', points: 1000 });
  });

  it("neither redeems nor earns points on a cart in another currency than the program's", () => {
    const r = only({ loyalty, currency: 'JPY', points: 1000, customer: customer({ availablePoints: 5000 }) });
    expect(r.points).toMatchObject({
      redeemed: 0,
      valueMinor: 0,
      rejection: { reason: 'currency_mismatch', programCurrency: 'EUR' },
    });
    expect(r.points.toEarn?.points).toBe(0);
    // A promotion's bonus points are points, not money: they still count.
    const bonus = promo({ id: 'bonus', actions: [{ code: 'bonus_points', args: { points: 50 } }] });
    expect(
      only({ loyalty, currency: 'JPY', customer: customer(), promotions: [bonus] }).points.toEarn,
    ).toMatchObject({ points: 50, promotionPoints: 50, basePoints: 0 });
    expect(r.effects.filter((e) => e.type === 'redeem_points')).toEqual([]);
    // Tier progress does not count yen as euros: 6,500 yen leave the 100.00 to silver untouched.
    expect(only({ loyalty, currency: 'JPY', customer: customer() }).tierProgress?.next).toMatchObject({
      code: 'silver',
      remainingSpendMinor: 10_000,
    });
    expect(only({ loyalty, customer: customer() }).tierProgress?.next?.remainingSpendMinor).toBeLessThan(
      10_000,
    );
  });

  it('shows no points to earn to a guest (commit books none), nor uses up a bonus-points promotion on one', () => {
    expect(only({ loyalty, customer: customer() }).points.toEarn?.points).toBeGreaterThan(0);
    const guest = customer({ customerId: null });
    expect(only({ loyalty, customer: guest }).points.toEarn).toBeNull();
    const bonus = coded('BONUS', { actions: [{ code: 'bonus_points', args: { points: 50 } }] });
    const r = only({ loyalty, customer: guest, promotions: [bonus], codes: ['BONUS'] });
    expect(r.rejectedCodes[0]).toMatchObject({ code: 'BONUS', reason: 'customer_required' });
    expect(r.effects.filter((e) => e.type === 'record_use')).toEqual([]);
    // With a discount too, the discount applies and the points are left out.
    const both = coded('BOTH', {
      actions: [
        { code: 'amount_off', args: { amountMinor: 500 } },
        { code: 'bonus_points', args: { points: 50 } },
      ],
    });
    const m = only({ loyalty, customer: guest, promotions: [both], codes: ['BOTH'] });
    expect(m.discounts).toMatchObject([{ promotionId: 'both', amountMinor: 500, points: 0 }]);
  });

  it('caps points at the share of the order and refuses guests', () => {
    expect(
      only({ loyalty, points: 9000, customer: customer({ availablePoints: 9000 }) }).points,
    ).toMatchObject({
      redeemed: 3250,
      capped: 'max_share',
    });
    expect(only({ loyalty, points: 100, customer: customer({ customerId: null }) }).points.rejection).toEqual(
      {
        reason: 'customer_required',
      },
    );
    expect(only({ points: 100 }).points.rejection).toEqual({ reason: 'no_program' });
  });

  it("applies the tier's standing discount after promotions and its earn multiplier", () => {
    const r = only({
      loyalty,
      customer: customer({ tier: 'silver', rolling: { spendMinor: 20_000, orderCount: 3 } }),
    });
    expect(r.discounts).toMatchObject([{ promotionId: 'tier:silver', source: 'tier', amountMinor: 325 }]);
    expect(r.points.toEarn?.points).toBe(Math.floor(((6500 - 325) * 2) / 100));
    expect(r.tierProgress).toEqual({
      tier: 'silver',
      next: { code: 'gold', name: 'Gold', remainingSpendMinor: 50_000 - 20_000 - 6175, remainingOrders: 0 },
    });
    expect(r.effects).toEqual([]);
    const gold = only({ loyalty, customer: customer({ tier: 'gold' }) });
    expect(gold.shipping.free).toBe(true);
  });
});

describe('effects to write when the order is placed', () => {
  it('lists usage with its guards, the single-use code and the points, and nothing for tier benefits', () => {
    const single = promo({
      id: 'welcome',
      trigger: { type: 'unique_codes' },
      limits: { totalUses: 1000, usesPerCustomer: 1, budgetMinor: 50_000 },
      actions: [off(500)],
    });
    const loyalty = LoyaltyProgram.parse({
      currency: 'EUR',
      tiers: { levels: [{ code: 'silver', name: 'Silver', benefits: { discountBps: 500 } }] },
    });
    const r = only({
      loyalty,
      promotions: [single],
      codes: ['WELC-2345'],
      codeRecords: [record('WELC2345', 'welcome')],
      points: 200,
      customer: customer({ tier: 'silver', availablePoints: 300 }),
    });
    expect(r.effects).toEqual([
      {
        type: 'record_use',
        promotionId: 'welcome',
        customerId: 'cus_1',
        code: 'WELC2345',
        discountMinor: 500,
        maxUses: 1000,
        maxUsesPerCustomer: 1,
        budgetMinor: 50_000,
      },
      { type: 'redeem_code', code: 'WELC2345', promotionId: 'welcome' },
      { type: 'redeem_points', customerId: 'cus_1', points: 200 },
    ]);
  });
});
