import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../http/context.ts';
import { registerCallsApi } from './calls-routes.ts';

/** The dashboard's operational routes: call outcomes, CSV imports, settings editing. */
export async function registerOperationsApi(app: FastifyInstance, ctx: AppContext): Promise<void> {
  registerCallsApi(app, ctx);
}
