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
  version: string;
  /** The worker's queue; absent in tests that run without one. */
  jobs?: import('../jobs/worker.ts').Jobs;
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
