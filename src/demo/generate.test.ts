import { beforeAll, describe, expect, it } from 'vitest';
import { CustomerInput } from '../customers/schemas.ts';
import { DAY_MS } from '../kernel/time.ts';
import { CartInput, EventInput, OrderInput, ProductInput, RefundInput } from '../orders/schemas.ts';
import { CATALOGUE } from './catalogue.ts';
import {
  CUSTOMER_KIND,
  DEFAULT_DEMO_PARAMS,
  DEMO_ACCOUNT_MANAGERS,
  type DemoStore,
  generateDemoStore,
} from './generate.ts';
import { cumulative, Random } from './random.ts';

const NOW = new Date('2026-11-23T10:00:00Z');
const NOW_MS = NOW.getTime();

function moments(draw: () => number, n = 200_000): { mean: number; variance: number } {
  let sum = 0;
  let sumSq = 0;
  for (let i = 0; i < n; i++) {
    const x = draw();
    sum += x;
    sumSq += x * x;
  }
  const mean = sum / n;
  return { mean, variance: sumSq / n - mean * mean };
}

const relClose = (actual: number, expected: number, tol: number) =>
  expect(Math.abs(actual - expected) / Math.abs(expected)).toBeLessThan(tol);

const subtotalOf = (o: OrderInput) => o.lines.reduce((s, l) => s + l.quantity * l.unit_price_minor, 0);

describe('Random', () => {
  it('repeats the same sequence for a seed and stream, and differs across seeds and streams', () => {
    const seq = (seed: number, stream = 0) => {
      const rng = new Random(seed, stream);
      return Array.from({ length: 5 }, () => rng.nextUint32());
    };
    expect(seq(42)).toEqual(seq(42));
    expect(seq(42)).not.toEqual(seq(43));
    expect(seq(42, 1)).not.toEqual(seq(42, 2));
    expect(seq(-7.5)).toEqual(seq(-7.5));
  });

  it('draws uniforms strictly inside (0, 1) with mean 1/2 and variance 1/12', () => {
    const rng = new Random(1);
    let min = 1;
    let max = 0;
    const m = moments(() => {
      const u = rng.next();
      min = Math.min(min, u);
      max = Math.max(max, u);
      return u;
    });
    expect(min).toBeGreaterThan(0);
    expect(max).toBeLessThan(1);
    relClose(m.mean, 0.5, 0.01);
    relClose(m.variance, 1 / 12, 0.02);
  });

  it('matches the mean and variance of normal, exponential, gamma, beta and Poisson draws', () => {
    const rng = new Random(7);
    const normal = moments(() => rng.normal(3, 2));
    relClose(normal.mean, 3, 0.01);
    relClose(normal.variance, 4, 0.02);
    const exp = moments(() => rng.exponential(0.5));
    relClose(exp.mean, 2, 0.02);
    relClose(exp.variance, 4, 0.04);
    for (const [shape, rate] of [
      [0.3, 2],
      [0.8, 12],
      [6, 0.5],
    ]) {
      const g = moments(() => rng.gamma(shape, rate));
      relClose(g.mean, shape / rate, 0.03);
      relClose(g.variance, shape / rate ** 2, 0.06);
    }
    const [a, b] = [0.6, 4];
    const beta = moments(() => rng.beta(a, b));
    relClose(beta.mean, a / (a + b), 0.02);
    relClose(beta.variance, (a * b) / ((a + b) ** 2 * (a + b + 1)), 0.04);
    for (const mean of [0.7, 12, 75]) {
      const p = moments(() => rng.poisson(mean), 50_000);
      relClose(p.mean, mean, 0.03);
      relClose(p.variance, mean, 0.06);
    }
  });

  it('draws categories in proportion to their weights, by scan and by cumulative table', () => {
    const rng = new Random(3);
    const weights = [1, 0, 3, 6];
    const cdf = cumulative(weights);
    const scan = [0, 0, 0, 0];
    const table = [0, 0, 0, 0];
    for (let i = 0; i < 100_000; i++) {
      scan[rng.categorical(weights)]++;
      table[rng.categoricalCumulative(cdf)]++;
    }
    for (const counts of [scan, table]) {
      expect(counts[1]).toBe(0);
      relClose(counts[0] / 100_000, 0.1, 0.05);
      relClose(counts[3] / 100_000, 0.6, 0.02);
    }
  });
});

describe('catalogue', () => {
  it('has 60–120 products with unique SKUs and ids, valid pairings and replenishment intervals', () => {
    expect(CATALOGUE.length).toBeGreaterThanOrEqual(60);
    expect(CATALOGUE.length).toBeLessThanOrEqual(120);
    const skus = new Set(CATALOGUE.map((p) => p.sku));
    expect(skus.size).toBe(CATALOGUE.length);
    expect(new Set(CATALOGUE.map((p) => p.externalId)).size).toBe(CATALOGUE.length);
    for (const p of CATALOGUE) {
      for (const s of p.pairsWith) expect(skus.has(s), `${p.sku} pairs with ${s}`).toBe(true);
      expect(Number.isInteger(p.priceMinor) && p.priceMinor > 0).toBe(true);
    }
    const interval = (sku: string) => CATALOGUE.find((p) => p.sku === sku)?.replenishmentIntervalDays;
    expect(interval('COF-ETH-250')).toBe(30);
    expect(interval('SKN-MOI-50')).toBe(60);
    expect(interval('EQ-FLT-100')).toBe(90);
    expect(interval('EQ-GRD-BURR')).toBeNull();
    expect(new Set(CATALOGUE.map((p) => p.category)).size).toBeGreaterThanOrEqual(7);
  });
});

describe('generateDemoStore', () => {
  const N = 5000;
  let store: DemoStore;
  let ordersByCustomer: Map<string, OrderInput[]>;
  let customerIndex: Map<string, number>;
  beforeAll(() => {
    store = generateDemoStore({ customers: N, seed: 42, now: NOW });
    ordersByCustomer = new Map();
    for (const o of store.orders) {
      if (!o.customer) continue;
      const list = ordersByCustomer.get(o.customer.external_id) ?? [];
      list.push(o);
      ordersByCustomer.set(o.customer.external_id, list);
    }
    customerIndex = new Map(store.customers.map((c, i) => [c.external_id, i]));
  });

  it('gives a deep-equal store for the same seed and a different one for another seed', () => {
    const options = { customers: 800, seed: 7, now: NOW };
    const a = generateDemoStore(options);
    const b = generateDemoStore(options);
    expect(b).toEqual(a);
    const c = generateDemoStore({ ...options, seed: 8 });
    expect(c.orders).not.toEqual(a.orders);
    expect(c.customers).not.toEqual(a.customers);
  });

  it('validates every product, customer, order, refund, cart and event against its API schema', () => {
    const failures: string[] = [];
    const check = (
      name: string,
      schema: { safeParse(x: unknown): { success: boolean; error?: unknown } },
      rows: unknown[],
    ) => {
      rows.forEach((row, i) => {
        const result = schema.safeParse(row);
        if (!result.success && failures.length < 5) failures.push(`${name}[${i}]: ${String(result.error)}`);
      });
    };
    check('product', ProductInput, store.products);
    check('customer', CustomerInput, store.customers);
    check('order', OrderInput, store.orders);
    check('refund', RefundInput, store.refunds);
    check('cart', CartInput, store.carts);
    check('event', EventInput, store.events);
    expect(failures).toEqual([]);
  });

  it('keeps volumes in range for 5,000 customers: 2–4 orders each, ~5 % guests, ~3 % refunds, carts, events', () => {
    const customerOrders = store.orders.filter((o) => o.customer).length;
    const guestOrders = store.orders.length - customerOrders;
    expect(store.customers).toHaveLength(N);
    expect(customerOrders / N).toBeGreaterThan(2);
    expect(customerOrders / N).toBeLessThan(4);
    expect(guestOrders / store.orders.length).toBeGreaterThan(0.035);
    expect(guestOrders / store.orders.length).toBeLessThan(0.065);
    expect(store.refunds.length / store.orders.length).toBeGreaterThan(0.02);
    expect(store.refunds.length / store.orders.length).toBeLessThan(0.04);
    expect(store.carts.length / N).toBeGreaterThan(0.12);
    expect(store.carts.length / N).toBeLessThan(0.18);
    expect(store.events.length).toBeGreaterThan(0);
    expect(store.events.length / N).toBeLessThan(4);
    const discounted = store.orders.filter((o) => o.discount_codes?.length).length / store.orders.length;
    expect(discounted).toBeGreaterThan(0.08);
    expect(discounted).toBeLessThan(0.25);
  });

  it('is a store with real repeat business: most buyers repeat, 20–40 % are sleeping (3 typical intervals)', () => {
    const intervals: number[] = [];
    for (const list of ordersByCustomer.values()) {
      if (list.length < 2) continue;
      const span = Date.parse(list[list.length - 1].placed_at) - Date.parse(list[0].placed_at);
      intervals.push(span / (list.length - 1));
    }
    intervals.sort((x, y) => x - y);
    const storeInterval = intervals[Math.floor(intervals.length / 2)];
    let sleeping = 0;
    for (const list of ordersByCustomer.values()) {
      const first = Date.parse(list[0].placed_at);
      const last = Date.parse(list[list.length - 1].placed_at);
      const interval = list.length >= 2 ? (last - first) / (list.length - 1) : storeInterval;
      if (NOW_MS - last > 3 * interval) sleeping++;
    }
    const buyers = ordersByCustomer.size;
    expect(intervals.length / buyers).toBeGreaterThan(0.4);
    expect(intervals.length / buyers).toBeLessThan(0.8);
    expect(sleeping / buyers).toBeGreaterThan(0.2);
    expect(sleeping / buyers).toBeLessThan(0.4);
  });

  it('keeps the true parameters and per-customer latent values consistent with the orders', () => {
    const t = store.truth;
    expect(t.bgnbd).toEqual(DEFAULT_DEMO_PARAMS.bgnbd);
    expect(t.gammaGamma).toEqual(DEFAULT_DEMO_PARAMS.gammaGamma);
    expect(t.notes.join(' ')).toMatch(/approximately BG\/NBD/);
    expect(t.customers.kind).toHaveLength(N);
    expect(t.orderSpendTarget).toHaveLength(store.orders.length);
    let dead = 0;
    let leads = 0;
    let replenishers = 0;
    store.customers.forEach((c, i) => {
      const list = ordersByCustomer.get(c.external_id) ?? [];
      expect(t.customers.orderCount[i]).toBe(list.length);
      const kind = t.customers.kind[i];
      if (kind === CUSTOMER_KIND.lead) {
        leads++;
        expect(list).toHaveLength(0);
        expect(t.customers.lambdaPerWeek[i]).toBeNaN();
        return;
      }
      if (kind === CUSTOMER_KIND.replenisher) replenishers++;
      expect(list.length).toBeGreaterThan(0);
      expect(Date.parse(list[0].placed_at)).toBe(t.customers.acquiredAtMs[i]);
      expect(t.customers.lambdaPerWeek[i]).toBeGreaterThan(0);
      const p = t.customers.dropoutProb[i];
      expect(p > 0 && p < 1).toBe(true);
      const droppedAt = t.customers.droppedOutAtMs[i];
      if (!Number.isNaN(droppedAt)) {
        dead++;
        // a dropout happens right after a repeat purchase, and no order follows it
        expect(list.length).toBeGreaterThanOrEqual(2);
        expect(Date.parse(list[list.length - 1].placed_at)).toBe(droppedAt);
      }
    });
    expect(leads / N).toBeGreaterThan(0.03);
    expect(leads / N).toBeLessThan(0.07);
    expect(replenishers / N).toBeGreaterThan(0.03);
    expect(dead / N).toBeGreaterThan(0.1);
    // the population's λ and p look like their Gamma(r, α) and Beta(a, b) sources
    const lambdas: number[] = [];
    const ps: number[] = [];
    t.customers.kind.forEach((k, i) => {
      if (k === CUSTOMER_KIND.buyer) lambdas.push(t.customers.lambdaPerWeek[i]);
      if (k !== CUSTOMER_KIND.lead) ps.push(t.customers.dropoutProb[i]);
    });
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    relClose(mean(lambdas), t.bgnbd.r / t.bgnbd.alpha, 0.1);
    relClose(mean(ps), t.bgnbd.a / (t.bgnbd.a + t.bgnbd.b), 0.1);
  });

  it('has more orders in November and December than in an average month, and than in September–October', () => {
    const byMonth = new Map<string, number>();
    for (const o of store.orders)
      byMonth.set(o.placed_at.slice(0, 7), (byMonth.get(o.placed_at.slice(0, 7)) ?? 0) + 1);
    // the last complete calendar year of the history
    const year = NOW.getUTCFullYear() - 1;
    const months = Array.from(
      { length: 12 },
      (_, m) => byMonth.get(`${year}-${String(m + 1).padStart(2, '0')}`) ?? 0,
    );
    const average = months.reduce((s, x) => s + x, 0) / 12;
    expect(months[10]).toBeGreaterThan(average);
    expect(months[11]).toBeGreaterThan(average);
    expect(months[10] + months[11]).toBeGreaterThan(1.2 * (months[8] + months[9]));
  });

  it('makes every refund reference an existing earlier order, within its total, lines adding up', () => {
    const orders = new Map(store.orders.map((o) => [o.external_id, o]));
    for (const r of store.refunds) {
      const order = orders.get(r.order_external_id ?? '');
      expect(order, r.external_id).toBeDefined();
      if (!order) continue;
      expect(r.amount_minor).toBeGreaterThan(0);
      expect(r.amount_minor).toBeLessThanOrEqual(order.total_minor ?? 0);
      expect(Date.parse(r.refunded_at)).toBeGreaterThan(Date.parse(order.placed_at));
      expect(r.lines?.reduce((s, l) => s + l.amount_minor, 0)).toBe(r.amount_minor);
      expect(['refunded', 'partially_refunded']).toContain(order.status);
      expect(r.customer?.external_id ?? null).toBe(order.customer?.external_id ?? null);
    }
    expect(new Set(store.refunds.map((r) => r.order_external_id)).size).toBe(store.refunds.length);
  });

  it('makes recovered carts point at a later order of the same customer; other carts are in the last 60 days', () => {
    const orders = new Map(store.orders.map((o) => [o.external_id, o]));
    let recovered = 0;
    for (const c of store.carts) {
      expect(Date.parse(c.updated_at)).toBeGreaterThanOrEqual(NOW_MS - 61 * DAY_MS);
      expect(Date.parse(c.created_at ?? '')).toBeLessThanOrEqual(Date.parse(c.updated_at));
      if (!c.recovered_order_external_id) {
        expect(c.status).not.toBe('converted');
        continue;
      }
      recovered++;
      const order = orders.get(c.recovered_order_external_id);
      expect(order).toBeDefined();
      expect(c.status).toBe('converted');
      expect(order?.customer?.external_id).toBe(c.customer?.external_id);
      expect(Date.parse(order?.placed_at ?? '')).toBeGreaterThan(Date.parse(c.updated_at));
    }
    expect(recovered / store.carts.length).toBeGreaterThan(0.1);
    expect(recovered / store.carts.length).toBeLessThan(0.3);
  });

  it('gives guest orders a null customer and every other order a known customer, never before acquisition', () => {
    let guests = 0;
    for (const o of store.orders) {
      if (o.customer === null) {
        guests++;
        continue;
      }
      const i = customerIndex.get(o.customer?.external_id ?? '');
      expect(i).toBeDefined();
      const customer = store.customers[i ?? 0];
      expect(o.customer?.email).toBe(customer.email);
      expect(Date.parse(o.placed_at)).toBeGreaterThanOrEqual(Date.parse(customer.created_at ?? ''));
      expect(Date.parse(o.placed_at)).toBeGreaterThanOrEqual(store.truth.customers.acquiredAtMs[i ?? 0]);
    }
    expect(guests).toBeGreaterThan(0);
  });

  it('uses integer money with total = subtotal − discount + shipping + tax, and discounts only with codes', () => {
    const isMoney = (x: unknown) => Number.isSafeInteger(x) && (x as number) >= 0;
    const bad = store.orders.filter((o) => {
      const subtotal = subtotalOf(o);
      const discount = o.discount_minor ?? 0;
      return !(
        o.lines.every((l) => isMoney(l.unit_price_minor) && Number.isInteger(l.quantity)) &&
        [o.discount_minor, o.shipping_minor, o.tax_minor, o.total_minor].every(isMoney) &&
        o.total_minor === subtotal - discount + (o.shipping_minor ?? 0) + (o.tax_minor ?? 0) &&
        discount <= subtotal &&
        (discount === 0 || o.discount_codes?.length === 1)
      );
    });
    expect(bad.slice(0, 3)).toEqual([]);
    expect(store.refunds.every((r) => isMoney(r.amount_minor))).toBe(true);
  });

  it('stamps every timestamp as ISO-8601 UTC before now; orders are sorted with increasing ids', () => {
    const instants: string[] = [];
    const walk = (value: unknown, key: string) => {
      if (typeof value === 'string' && key.endsWith('_at')) instants.push(value);
      else if (Array.isArray(value)) for (const v of value) walk(v, key);
      else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, k);
    };
    walk([store.products, store.customers, store.orders, store.refunds, store.carts, store.events], '');
    expect(instants.length).toBeGreaterThan(3 * store.orders.length);
    const bad = instants.filter((s) => new Date(s).toISOString() !== s || !(Date.parse(s) < NOW_MS));
    expect(bad.slice(0, 3)).toEqual([]);
    const unsorted = store.orders.filter(
      (o, k) =>
        k > 0 &&
        !(o.placed_at >= store.orders[k - 1].placed_at && o.external_id > store.orders[k - 1].external_id),
    );
    expect(unsorted).toEqual([]);
    expect(store.orders[0].external_id).toBe('demo-o-000001');
    expect(store.customers[0].external_id).toBe('demo-c-00001');
    expect(store.events.every((e) => Date.parse(e.occurred_at) >= NOW_MS - 30 * DAY_MS)).toBe(true);
  });

  it('gives customers unique example.com emails, ~60 % phones, ~70 % birthdays, consents and managers', () => {
    const share = (f: (c: CustomerInput) => boolean) => store.customers.filter(f).length / N;
    const emails = store.customers.map((c) => c.email ?? '');
    expect(new Set(emails).size).toBe(N);
    for (const e of emails) expect(e).toMatch(/^[a-z]+\.[a-z]+\.\d+@example\.com$/);
    expect(share((c) => !!c.phone)).toBeCloseTo(0.6, 1);
    expect(share((c) => !!c.birthday)).toBeCloseTo(0.7, 1);
    const email = (c: CustomerInput) => c.consents?.filter((x) => x.channel === 'email') ?? [];
    expect(share((c) => email(c).some((x) => x.status === 'granted'))).toBeCloseTo(0.65, 1);
    expect(share((c) => email(c).some((x) => x.status === 'withdrawn'))).toBeGreaterThan(0.02);
    expect(share((c) => email(c).some((x) => !!x.double_opt_in_confirmed_at))).toBeGreaterThan(0.1);
    expect(share((c) => email(c).some((x) => x.source === 'signup form'))).toBeGreaterThan(0.1);
    expect(share((c) => email(c).some((x) => x.source === 'checkout'))).toBeGreaterThan(0.1);
    expect(share((c) => !!c.consents?.some((x) => x.channel === 'sms'))).toBeCloseTo(0.25, 1);
    for (const c of store.customers) {
      for (const x of c.consents ?? []) if (x.status === 'granted') expect(x.text_shown).toBeTruthy();
      if (c.consents?.some((x) => x.channel === 'sms')) expect(c.phone).toBeTruthy();
    }
    expect(new Set(store.customers.map((c) => c.locale)).size).toBe(4);
    expect(store.customers.some((c) => /[\u0400-\u04ff]/.test(c.first_name ?? ''))).toBe(true);
    const managed = store.customers.filter((c) => c.account_manager);
    expect(managed.length).toBeGreaterThan(0);
    for (const c of managed) {
      expect(DEMO_ACCOUNT_MANAGERS).toContain(c.account_manager);
      expect(c.tags?.some((t) => t === 'vip' || t === 'wholesale')).toBe(true);
    }
    expect(share((c) => !!c.tags?.includes('vip'))).toBeGreaterThan(0.02);
  });

  it('makes spend vary by customer and realised order values track the Gamma-Gamma targets', () => {
    const targets = store.truth.orderSpendTarget;
    let sumTarget = 0;
    let sumReal = 0;
    store.orders.forEach((o, k) => {
      sumTarget += targets[k];
      sumReal += subtotalOf(o) / 100;
    });
    relClose(sumReal, sumTarget, 0.05);
    const { p, q, v } = store.truth.gammaGamma;
    // E[order value] = p·v/(q−1) over customers; per order it leans to frequent buyers, so loosely
    relClose(sumTarget / store.orders.length, (p * v) / (q - 1), 0.15);
    // customers with a higher true mean p/ν spend more per order
    const real: number[] = [];
    const truth: number[] = [];
    store.customers.forEach((c, i) => {
      const list = ordersByCustomer.get(c.external_id);
      if (!list || list.length < 3) return;
      real.push(list.reduce((s, o) => s + subtotalOf(o), 0) / list.length);
      truth.push(p / store.truth.customers.nu[i]);
    });
    const mr = real.reduce((s, x) => s + x, 0) / real.length;
    const mt = truth.reduce((s, x) => s + x, 0) / truth.length;
    let sxy = 0;
    let sxx = 0;
    let syy = 0;
    for (let j = 0; j < real.length; j++) {
      sxy += (real[j] - mr) * (truth[j] - mt);
      sxx += (real[j] - mr) ** 2;
      syy += (truth[j] - mt) ** 2;
    }
    expect(sxy / Math.sqrt(sxx * syy)).toBeGreaterThan(0.6);
    expect(Math.sqrt(sxx / real.length) / mr).toBeGreaterThan(0.2);
  });

  it('shows co-purchase and replenishment patterns: filters go with beans, replenishers rebuy on schedule', () => {
    const has = (o: OrderInput, sku: string) => o.lines.some((l) => l.sku === sku);
    const withBeans = store.orders.filter((o) => has(o, 'COF-ETH-250') || has(o, 'COF-COL-250'));
    const filterRate = store.orders.filter((o) => has(o, 'EQ-FLT-100')).length / store.orders.length;
    const filterWithBeans = withBeans.filter((o) => has(o, 'EQ-FLT-100')).length / withBeans.length;
    expect(filterWithBeans).toBeGreaterThan(3 * filterRate);
    const ratios: number[] = [];
    store.truth.customers.kind.forEach((k, i) => {
      if (k !== CUSTOMER_KIND.replenisher) return;
      const list = ordersByCustomer.get(store.customers[i].external_id) ?? [];
      const cycleDays = 7 / store.truth.customers.lambdaPerWeek[i];
      for (let j = 1; j < list.length; j++) {
        expect(list[j].lines[0].sku).toBe(list[0].lines[0].sku);
        ratios.push((Date.parse(list[j].placed_at) - Date.parse(list[j - 1].placed_at)) / DAY_MS / cycleDays);
      }
    });
    ratios.sort((x, y) => x - y);
    expect(ratios.length).toBeGreaterThan(100);
    expect(ratios[Math.floor(ratios.length / 2)]).toBeGreaterThan(0.9);
    expect(ratios[Math.floor(ratios.length / 2)]).toBeLessThan(1.1);
  });

  it('honours years, currency and parameter overrides, and an empty store has only products', () => {
    const oneYear = generateDemoStore({ customers: 500, seed: 1, now: NOW, years: 1, currency: 'RON' });
    expect(oneYear.orders.every((o) => o.currency === 'RON')).toBe(true);
    expect(Date.parse(oneYear.truth.startAt)).toBe(Date.UTC(2025, 10, 23, 10));
    for (const o of oneYear.orders)
      expect(Date.parse(o.placed_at)).toBeGreaterThanOrEqual(Date.UTC(2025, 10, 23, 10));
    const noGuests = generateDemoStore({ customers: 300, seed: 1, now: NOW, params: { guestOrderShare: 0 } });
    expect(noGuests.orders.every((o) => o.customer)).toBe(true);
    expect(noGuests.truth.bgnbd).toEqual(DEFAULT_DEMO_PARAMS.bgnbd);
    const empty = generateDemoStore({ customers: 0, seed: 1, now: NOW });
    expect(empty.products.length).toBe(CATALOGUE.length);
    expect(
      [empty.customers, empty.orders, empty.refunds, empty.carts, empty.events].map((x) => x.length),
    ).toEqual([0, 0, 0, 0, 0]);
    expect(() => generateDemoStore({ customers: -1, seed: 1, now: NOW })).toThrow(RangeError);
  });
});
