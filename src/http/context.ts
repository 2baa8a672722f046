import type { FastifyRequest } from 'fastify';
import type { Db } from '../db/client.ts';
import { ComebackError } from '../kernel/errors.ts';
import type { IdGenerator } from '../kernel/ids.ts';
import type { Clock } from '../kernel/time.ts';

/** What routes need from the composition root. */
export interface AppContext {
  db: Db;
  ids: IdGenerator;
  clock: Clock;
  /** Secret for the local CLI's admin endpoints (written to the data dir's lock file); none → disabled. */
  adminToken?: string;
  /** Asks the worker to recompute a store's scores now (wired once the analytics job exists). */
  version: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    storeId?: string;
  }
}

/** The authenticated request's store; routes under /v1 always have one. */
export function storeOf(req: FastifyRequest): string {
  if (!req.storeId) throw new ComebackError('UNAUTHENTICATED', 'An API key is required');
  return req.storeId;
}
