import type PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import type { Db } from '../db/client.ts';
import { purgeIdempotencyKeys } from '../http/idempotency.ts';
import type { IdGenerator } from '../kernel/ids.ts';
import type { Clock } from '../kernel/time.ts';
import { LOYALTY_QUEUE, runLoyaltyJob, storesWithProgram } from '../loyalty/jobs.ts';
import { recomputeStoreScores, SCORES_QUEUE } from '../scores/jobs.ts';
import { startQueue } from './queue.ts';

export interface Jobs {
  /** Queues a recompute of a store's scores (one pending per store); returns the job id. */
  recomputeScores(storeId: string, trigger: string): Promise<string | null>;
  /** Queues a run of a store's loyalty job (one pending per store); returns the job id. */
  runLoyalty(storeId: string, trigger: string): Promise<string | null>;
}

export interface Worker extends Jobs {
  stop(): Promise<void>;
}

const NIGHTLY = 'scores-nightly';
const HOUSEKEEPING = 'housekeeping';
const LOYALTY_NIGHTLY = 'loyalty-nightly';

/**
 * The worker: a durable queue (pg-boss) in the server process. Nightly it queues every store's
 * score recompute; hourly it forgets expired idempotency keys. Several servers may run: pg-boss
 * hands each job to one of them.
 */
export async function startWorker(
  ctx: { db: Db; ids: IdGenerator; clock: Clock },
  log: Logger,
): Promise<Worker> {
  const boss: PgBoss = await startQueue(ctx.db);
  for (const q of [SCORES_QUEUE, NIGHTLY, HOUSEKEEPING, LOYALTY_QUEUE, LOYALTY_NIGHTLY])
    await boss.createQueue(q);
  await boss.work<{ storeId: string; trigger: string }>(SCORES_QUEUE, { batchSize: 1 }, async ([job]) => {
    const started = Date.now();
    const runId = await recomputeStoreScores(ctx, job.data.storeId, job.data.trigger);
    log.info({ storeId: job.data.storeId, runId, ms: Date.now() - started }, 'scores recomputed');
  });
  await boss.work(NIGHTLY, async () => {
    const stores = await ctx.db.query<{ id: string }>('select id from stores');
    for (const s of stores.rows) await queueScores(s.id, 'nightly');
  });
  await boss.work(HOUSEKEEPING, async () => {
    const n = await purgeIdempotencyKeys(ctx);
    if (n) log.info({ purged: n }, 'expired idempotency keys purged');
  });
  await boss.work<{ storeId: string; trigger: string }>(LOYALTY_QUEUE, { batchSize: 1 }, async ([job]) => {
    const started = Date.now();
    const out = await runLoyaltyJob(ctx, job.data.storeId, job.data.trigger, ctx.clock().getTime());
    log.info({ storeId: job.data.storeId, runId: out?.runId, ms: Date.now() - started }, 'loyalty job run');
  });
  await boss.work(LOYALTY_NIGHTLY, async () => {
    for (const storeId of await storesWithProgram(ctx.db)) await queueLoyalty(storeId, 'nightly');
  });
  await boss.schedule(NIGHTLY, '0 3 * * *', {}, { tz: 'UTC' });
  await boss.schedule(LOYALTY_NIGHTLY, '30 2 * * *', {}, { tz: 'UTC' });
  await boss.schedule(HOUSEKEEPING, '17 * * * *', {}, { tz: 'UTC' });

  function queueScores(storeId: string, trigger: string) {
    return boss.send(
      SCORES_QUEUE,
      { storeId, trigger },
      { singletonKey: storeId, retryLimit: 2, expireInSeconds: 3600 },
    );
  }
  function queueLoyalty(storeId: string, trigger: string) {
    return boss.send(
      LOYALTY_QUEUE,
      { storeId, trigger },
      { singletonKey: storeId, retryLimit: 2, expireInSeconds: 3600 },
    );
  }
  return {
    recomputeScores: queueScores,
    runLoyalty: queueLoyalty,
    async stop() {
      await boss.stop({ graceful: true, timeout: 10_000, wait: true });
    },
  };
}
