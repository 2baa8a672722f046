import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../http/context.ts';
import { registerStaffAuth } from '../staff/routes.ts';
import { registerMarketingApi } from './marketing-routes.ts';
import { registerOperationsApi } from './operations-routes.ts';
import { registerDashboardApi } from './routes.ts';
import { registerDashboardWeb } from './web.ts';

export interface DashboardOptions {
  /** The built dashboard (default: web/dist of this package). */
  webDir?: string;
  /** Mark session cookies Secure (the public URL is https). */
  secureCookies?: boolean;
}

/** The dashboard: its pages at `/`, `/customers` …, and its session-authenticated JSON API under /app/api. */
export async function registerDashboard(
  app: FastifyInstance,
  ctx: AppContext,
  options: DashboardOptions = {},
): Promise<void> {
  await app.register(async (api) => {
    await registerStaffAuth(api, ctx, { secureCookies: options.secureCookies });
    registerDashboardApi(api, ctx);
    await registerMarketingApi(api, ctx);
    await registerOperationsApi(api, ctx);
  });
  await registerDashboardWeb(app, options.webDir);
}
