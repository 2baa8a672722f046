import type { FastifyInstance, FastifyReply, FastifyRequest, onSendHookHandler } from 'fastify';

/** How long closing waits for handlers whose client went away before it lets the database close anyway. */
const SETTLE_MS = 10_000;

/**
 * Makes `app.close()` wait for the route handlers still running. Fastify's close waits for open
 * connections, not for a handler whose client went away: that handler keeps running, and its next
 * query would meet a database the shutdown closed meanwhile (a checkout commit between its read and
 * its write). A request runs from its handler's start until the last of its route's onSend hooks
 * (appended here after every other, so the reply's own writes, such as the idempotency record, are
 * done; Fastify calls onSend after an aborted request's handler too, success or error), or, for a
 * reply the handler took over (hijack), until the handler settles. Only routes' handlers count: a
 * reply sent before its handler (an idempotent replay) or by the not-found handler writes nothing.
 */
export function settleHandlersOnClose(app: FastifyInstance): void {
  const running = new Set<FastifyRequest>();
  let settled: (() => void) | null = null;
  const end = (req: FastifyRequest) => {
    if (running.delete(req) && running.size === 0) settled?.();
  };
  const endOnSend: onSendHookHandler = (req, _reply, payload, done) => {
    end(req);
    done(null, payload);
  };
  app.addHook('onRoute', (route) => {
    // Route-level hooks run after the instances' hooks.
    const own = route.onSend === undefined ? [] : Array.isArray(route.onSend) ? route.onSend : [route.onSend];
    route.onSend = [...own, endOnSend];
    const handler = route.handler;
    route.handler = function (this: FastifyInstance, req: FastifyRequest, reply: FastifyReply) {
      running.add(req);
      const out = handler.call(this, req, reply);
      // A hijacked reply runs no onSend: its handler's end is the request's.
      const after = () => {
        if (reply.sent) end(req);
      };
      if (out instanceof Promise) out.then(after, after);
      else after();
      return out;
    } as typeof handler;
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
