/**
 * `npm run bench -- checkout`: checkout evaluation and commit against a database, through the
 * repository (no HTTP): latency percentiles and throughput of evaluate, and of commits of one
 * 100-use coupon under concurrency (exactly 100 must succeed).
 * Arguments: `--db <postgres url>` (default: PGlite in memory), `--evaluations 2000`,
 * `--commits 1000`, `--concurrency 20`.
 */
import { commitCheckout, evaluateForStore } from '../src/checkout/repository.ts';
import { CheckoutCommitInput, CheckoutEvaluateInput } from '../src/checkout/schemas.ts';
import { type Db, openPglite, openPostgres } from '../src/db/client.ts';
import { migrate } from '../src/db/migrate.ts';
import { createIdGenerator } from '../src/kernel/ids.ts';
import { LoyaltyProgram } from '../src/loyalty/index.ts';
import { saveProgram } from '../src/loyalty/repository.ts';
import { Promotion } from '../src/promotions/index.ts';
import { insertPromotion } from '../src/promotions/repository.ts';
import { createStore } from '../src/stores/repository.ts';

function arg(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
}

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function bounded(n: number, limit: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < n) await fn(next++);
  };
  await Promise.all(Array.from({ length: Math.min(limit, n) }, worker));
}

function stats(ms: number[], wallMs: number): object {
  const s = [...ms].sort((a, b) => a - b);
  return {
    count: s.length,
    wall_ms: Math.round(wallMs),
    per_second: Math.round((s.length / wallMs) * 1000),
    p50_ms: +percentile(s, 50).toFixed(2),
    p95_ms: +percentile(s, 95).toFixed(2),
    p99_ms: +percentile(s, 99).toFixed(2),
  };
}

export async function benchCheckout(args: string[]): Promise<object> {
  const url = arg(args, 'db', '');
  const evaluations = Number(arg(args, 'evaluations', '2000'));
  const commits = Number(arg(args, 'commits', '1000'));
  const concurrency = Number(arg(args, 'concurrency', '20'));
  const db: Db = url ? await openPostgres(url, concurrency) : await openPglite();
  await migrate(db);
  const ids = createIdGenerator();
  const store = await createStore(db, ids, { slug: `bench-checkout-${Date.now()}` });
  const storeId = store.id;
  await saveProgram(db, storeId, LoyaltyProgram.parse({ currency: 'EUR' }));
  for (let i = 0; i < 20; i++)
    await insertPromotion(
      db,
      storeId,
      Promotion.parse({
        id: `auto-${i}`,
        name: `Automatic ${i}`,
        trigger: { type: 'automatic' },
        conditions: [{ code: 'min_subtotal', args: { amount_minor: 1000 * (i + 1) } }],
        actions: [{ code: 'percent_off', args: { percent_bps: 100 } }],
      }),
      'active',
    );
  await insertPromotion(
    db,
    storeId,
    Promotion.parse({
      id: 'coupon',
      name: 'Coupon',
      trigger: { type: 'code', code: 'BENCH' },
      limits: { total_uses: 100 },
      actions: [{ code: 'amount_off', args: { amount_minor: 500 } }],
    }),
    'active',
  );
  const cart = {
    customer: null,
    currency: 'EUR',
    lines: Array.from({ length: 5 }, (_, i) => ({
      sku: `SKU-${i}`,
      quantity: 1 + i,
      unit_price_minor: 1999,
    })),
    shipping_minor: 490,
    codes: ['BENCH'],
  };
  const evalInput = CheckoutEvaluateInput.parse(cart);
  const evalMs: number[] = [];
  let t0 = performance.now();
  await bounded(evaluations, concurrency, async () => {
    const s = performance.now();
    await evaluateForStore(db, storeId, evalInput, Date.now());
    evalMs.push(performance.now() - s);
  });
  const evaluate = stats(evalMs, performance.now() - t0);

  const commitMs: number[] = [];
  let committed = 0;
  let refused = 0;
  t0 = performance.now();
  await bounded(commits, concurrency, async (i) => {
    const s = performance.now();
    try {
      await commitCheckout(
        db,
        storeId,
        CheckoutCommitInput.parse({ ...cart, order_external_id: `o-${i}` }),
        Date.now(),
      );
      committed++;
    } catch {
      refused++;
    }
    commitMs.push(performance.now() - s);
  });
  const commit = { ...stats(commitMs, performance.now() - t0), committed, refused };
  await db.close();
  return { db: url ? 'postgres' : 'pglite', concurrency, promotions: 21, evaluate, commit };
}
