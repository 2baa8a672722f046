import pino from 'pino';
import { expect, it } from 'vitest';
import { loadDemoStore } from '../src/demo/load.ts';
import { startWorker } from '../src/jobs/worker.ts';
import { createIdGenerator } from '../src/kernel/ids.ts';
import { systemClock } from '../src/system-clock.ts';
import { describeEachDb } from './db.ts';

describeEachDb('the worker (pg-boss) on the app database', (getDb) => {
  it('sets up its queue schema and runs a queued score recompute to completion', async () => {
    const ctx = { db: getDb(), ids: createIdGenerator(), clock: systemClock };
    const demo = await loadDemoStore(ctx, { customers: 150, seed: 3, now: new Date() });
    const worker = await startWorker(ctx, pino({ level: 'silent' }));
    try {
      expect(await worker.recomputeScores(demo.storeId, 'test')).toBeTruthy();
      let status: string | undefined;
      for (let i = 0; i < 60 && status !== 'done'; i++) {
        await new Promise((r) => setTimeout(r, 500));
        const run = await getDb().query<{ status: string }>(
          'select status from score_runs where store_id = $1',
          [demo.storeId],
        );
        status = run.rows[0]?.status;
      }
      expect(status).toBe('done');
    } finally {
      await worker.stop();
    }
  });
});
