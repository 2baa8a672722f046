import type { Logger } from 'pino';
import type { AppContext } from '../http/context.ts';
import { purgeIdempotencyKeys } from '../http/idempotency.ts';

export interface Worker {
  stop(): Promise<void>;
}

/** Background work in the server process: housekeeping now, scheduled recomputes as they land. */
export async function startWorker(ctx: AppContext, log: Logger): Promise<Worker> {
  const timer = setInterval(() => {
    purgeIdempotencyKeys(ctx)
      .then((n) => n && log.info({ purged: n }, 'expired idempotency keys purged'))
      .catch((err) => log.warn({ err }, 'purging idempotency keys failed'));
  }, 3_600_000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
    },
  };
}
