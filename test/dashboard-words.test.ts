import { describe, expect, it } from 'vitest';
import { count, fmtMoney, fmtMoneyMinor, fmtPercent, minorDigits } from '../web/src/format.ts';
import { nextSteps } from '../web/src/meaning.ts';
import type { Report } from '../web/src/types.ts';

function report(overrides: {
  verdict?: string;
  repeatPurchaseRate?: number;
  lifecycle?: Record<string, number>;
}) {
  return {
    summary: {
      repeatPurchaseRate: overrides.repeatPurchaseRate ?? 0.6,
      verdict: { verdict: overrides.verdict ?? 'repeat' },
    },
    segments: {
      lifecycle: {
        new: 30,
        active: 100,
        vip: 10,
        at_risk: 66,
        sleeping: 50,
        lost: 43,
        ...overrides.lifecycle,
      },
      rfm: { "Can't lose": 9 },
      sleeping: 93,
      sleepingFactor: 3,
    },
  } as unknown as Report;
}

describe('the dashboard in words', () => {
  it('puts sleeping customers first, with the count the overview shows and a link to the call list', () => {
    const steps = nextSteps(report({}));
    expect(steps.map((s) => s.to)).toEqual([
      '/call-list',
      '/customers?stage=at_risk',
      "/customers?segment=Can't%20lose",
      '/customers?stage=new',
    ]);
    expect(steps[0].text).toMatch(
      /^93 customers are sleeping: no order for more than 3 of their usual intervals/,
    );
    expect(steps[0].action).toBe('See the call list');
  });

  it('says when retention work will not pay (a one-off business) and when second orders are rare', () => {
    expect(nextSteps(report({ verdict: 'one-off' }))[0].text).toContain(
      'Win-back campaigns will mostly be wasted',
    );
    const rare = nextSteps(report({ repeatPurchaseRate: 0.12, lifecycle: { new: 0, at_risk: 0 } }));
    expect(rare.at(-1)?.text).toContain('Only 12.0% of customers ever ordered twice');
  });

  it('writes one customer in the singular', () => {
    expect(count(1, 'customer')).toBe('1 customer');
    expect(count(1204, 'customer')).toBe('1,204 customers');
  });

  it("formats money in the store's currency with its own minor unit", () => {
    expect(fmtMoney(1234.5, 'EUR')).toBe('€1,234.50');
    expect(minorDigits('JPY')).toBe(0);
    expect(fmtMoneyMinor(123456, 'EUR')).toBe('€1,234.56');
    expect(fmtMoneyMinor(1500, 'JPY')).toBe('¥1,500');
    expect(fmtPercent(0.6652)).toBe('66.5%');
    expect(fmtPercent(Number.NaN)).toBe('–');
  });
});
