import type { Db } from '../db/client.ts';
import type { IdGenerator } from '../kernel/ids.ts';
import type { Clock } from '../kernel/time.ts';
import { loadTransactionColumns, storeReport, writeCustomerScores } from './repository.ts';
import { scoreStoreOffThread } from './score-thread.ts';

export interface ScoreContext {
  db: Db;
  ids: IdGenerator;
  clock: Clock;
}

/** Per-store analytics settings (stores.settings.analytics), with the brief's defaults. */
export interface AnalyticsSettings {
  sleepingFactor: number;
  horizonWeeks: number;
  monthlyDiscountRate: number;
  lifetimeYears: number;
  cacMinor: number;
  model: 'bgnbd' | 'paretonbd' | 'auto';
}

export const DEFAULT_ANALYTICS: AnalyticsSettings = {
  sleepingFactor: 3,
  horizonWeeks: 52,
  monthlyDiscountRate: 0.01,
  lifetimeYears: 2,
  cacMinor: 0,
  model: 'bgnbd',
};

export const SCORES_QUEUE = 'scores-recompute';

/**
 * Recomputes one store's scores from its orders: metrics, model fits, per-customer predictions,
 * segments and sleeping flags; replaces customer_scores in one transaction and records the run.
 */
export async function recomputeStoreScores(
  ctx: ScoreContext,
  storeId: string,
  trigger: string,
): Promise<string> {
  const store = await ctx.db.query<{
    currency: string;
    settings: { analytics?: Partial<AnalyticsSettings> };
  }>('select currency, settings from stores where id = $1', [storeId]);
  const settings = { ...DEFAULT_ANALYTICS, ...(store.rows[0]?.settings.analytics ?? {}) };
  const runId = ctx.ids('scoreRun');
  await ctx.db.query(
    `insert into score_runs (store_id, id, status, trigger) values ($1, $2, 'running', $3)`,
    [storeId, runId, trigger],
  );
  // Each step is written to score_runs.progress in order (the dashboard polls it); a failed write only loses a step.
  let stepsWritten: Promise<unknown> = Promise.resolve();
  const step = (label: string) => {
    stepsWritten = stepsWritten
      .then(() =>
        ctx.db.query('update score_runs set progress = $3 where store_id = $1 and id = $2', [
          storeId,
          runId,
          label,
        ]),
      )
      .catch(() => {});
  };
  try {
    const now = ctx.clock();
    step('loading orders');
    const columns = await loadTransactionColumns(ctx.db, storeId, store.rows[0]?.currency ?? 'EUR');
    // Off the event loop: a large store's fits take seconds of CPU the API must not wait for.
    const scores = await scoreStoreOffThread(
      columns,
      {
        asOf: now.getTime(),
        timeUnit: 'week',
        horizon: settings.horizonWeeks,
        discountRate: settings.monthlyDiscountRate,
        sleepingFactor: settings.sleepingFactor,
        model: settings.model,
        fitParetoNbd: settings.model !== 'bgnbd',
        lifetimeYears: settings.lifetimeYears,
        cacMinor: settings.cacMinor,
      },
      step,
    );
    step(`saving the scores of ${columns.customerIds.length.toLocaleString('en-US')} customers`);
    await stepsWritten;
    await ctx.db.tx(async (q) => {
      await writeCustomerScores(q, storeId, columns.customerIds, scores, now);
      await q.query(
        `update score_runs set status = 'done', report = $3::jsonb, finished_at = now() where store_id = $1 and id = $2`,
        [storeId, runId, JSON.stringify(storeReport(scores))],
      );
    });
    return runId;
  } catch (err) {
    await stepsWritten;
    await ctx.db.query(
      `update score_runs set status = 'failed', error = $3, finished_at = now() where store_id = $1 and id = $2`,
      [storeId, runId, (err as Error).message],
    );
    throw err;
  }
}

/** The latest finished report of a store, or null before the first run. */
export async function latestScoreRun(db: Db, storeId: string) {
  const res = await db.query(
    `select id, status, trigger, report, started_at, finished_at from score_runs
     where store_id = $1 and status = 'done' order by finished_at desc limit 1`,
    [storeId],
  );
  return res.rows[0] ?? null;
}

/** The queued or running recompute of a store, if any (the dashboard shows its progress). */
export async function activeScoreRun(db: Db, storeId: string) {
  const res = await db.query<{
    id: string;
    status: string;
    trigger: string;
    progress: string | null;
    started_at: Date;
  }>(
    `select id, status, trigger, progress, started_at from score_runs where store_id = $1 and status in ('queued', 'running')
     order by started_at desc limit 1`,
    [storeId],
  );
  return res.rows[0] ?? null;
}
