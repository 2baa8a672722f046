import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../http/context.ts';
import { registerCallsApi } from './calls-routes.ts';
import { registerImportsApi } from './imports-routes.ts';
import { registerSettingsApi } from './settings-routes.ts';
import { registerTimelineApi } from './timeline-routes.ts';

/** The dashboard's operational routes: call outcomes, CSV imports, settings editing. */
export async function registerOperationsApi(app: FastifyInstance, ctx: AppContext): Promise<void> {
  registerCallsApi(app, ctx);
  await registerImportsApi(app, ctx);
  registerSettingsApi(app, ctx);
  registerTimelineApi(app, ctx);
}
