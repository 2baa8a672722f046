import type { FastifyInstance } from 'fastify';

/** How long closing waits for handlers still running before it lets the database close anyway. */
const SETTLE_MS = 10_000;

/**
 * Makes `app.close()` wait for the route handlers still running. Fastify's close waits for open
 * connections, not for a handler whose client went away: that handler keeps running, and its next
 * query would meet a database the shutdown closed meanwhile (a checkout commit between its read and
 * its write). A handler runs from preHandler until its reply is sent (onSend, which comes after an
 * aborted request's handler too, success or error); onResponse also ends it, for replies sent
 * before any handler ran.
 */
export function settleHandlersOnClose(app: FastifyInstance): void {
  const running = new Set<string>();
  let settled: (() => void) | null = null;
  const end = (id: string) => {
    if (running.delete(id) && running.size === 0) settled?.();
  };
  app.addHook('preHandler', (req, _reply, done) => {
    running.add(req.id);
    done();
  });
  app.addHook('onSend', (req, _reply, payload, done) => {
    end(req.id);
    done(null, payload);
  });
  app.addHook('onResponse', (req, _reply, done) => {
    end(req.id);
    done();
  });
  app.addHook('onClose', async () => {
    if (running.size === 0) return;
    const all = new Promise<void>((resolve) => {
      settled = resolve;
    });
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        app.log.warn({ handlers: running.size }, 'closing while request handlers still run');
        resolve();
      }, SETTLE_MS);
    });
    await Promise.race([all, late]);
    clearTimeout(timer);
  });
}
