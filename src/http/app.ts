import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { registerCallRoutes } from '../calls/index.ts';
import { registerCheckoutRoutes } from '../checkout/routes.ts';
import { registerCustomerRoutes } from '../customers/routes.ts';
import { type DashboardOptions, registerDashboard } from '../dashboard/index.ts';
import { registerLoyaltyAdminRoutes, registerLoyaltyJobRoutes } from '../loyalty/job-routes.ts';
import { registerOrderRoutes } from '../orders/routes.ts';
import { registerScoreRoutes } from '../scores/routes.ts';
import { registerStaffAdminRoutes } from '../staff/routes.ts';
import { registerAdminRoutes } from '../stores/routes.ts';
import { requireAdminToken, requireApiKey } from './auth.ts';
import { guardJsonBody } from './body-guard.ts';
import type { AppContext } from './context.ts';
import { handleError } from './errors.ts';
import { settleHandlersOnClose } from './handlers-in-flight.ts';
import { idempotency } from './idempotency.ts';

export interface BuildOptions {
  /** The process's pino logger; none in tests. */
  logger?: FastifyBaseLogger;
  /** Extra route registrations from other capabilities (imports, analytics …), each in the /v1 scope. */
  v1Plugins?: Array<(app: FastifyInstance, ctx: AppContext) => void>;
  adminPlugins?: Array<(app: FastifyInstance, ctx: AppContext) => void>;
  /** Where the built dashboard is, and whether its cookies are Secure. */
  dashboard?: DashboardOptions;
}

/** Builds the HTTP app without listening (tests use `app.inject()`; `serve` calls listen). */
export async function buildApp(ctx: AppContext, options: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    // One log line per request (below), not Fastify's two ("incoming request", "request completed").
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 20 * 1024 * 1024,
    ajv: { customOptions: { coerceTypes: false } },
    // Ids up to 255 characters reach the schema (a 422 naming the field); the router refuses longer ones.
    routerOptions: { maxParamLength: 1000 },
    // A bad URL or an over-long path parameter gets the one error shape too.
    frameworkErrors: handleError,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(handleError);
  app.addHook('preValidation', guardJsonBody);
  settleHandlersOnClose(app);
  app.addHook('onResponse', (req, reply, done) => {
    req.log.info(
      {
        req: { method: req.method, url: req.url },
        res: { statusCode: reply.statusCode },
        responseTime: reply.elapsedTime,
      },
      'request completed',
    );
    done();
  });
  // JSON routes read JSON only: a text body is a 415, not a string to validate (imports add their own parsers).
  app.removeContentTypeParser('text/plain');
  app.setNotFoundHandler((req, reply) => {
    reply
      .status(404)
      .send({ error: { code: 'NOT_FOUND', message: `No route ${req.method} ${req.url}`, details: [] } });
  });

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Comeback API',
        version: ctx.version,
        description:
          'Store data in, retention decisions out. Authenticate with `Authorization: Bearer <api key>`; ' +
          'every POST accepts an `Idempotency-Key` header. Errors: `{ error: { code, message, details: [{ path, message }] } }`.',
      },
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' } } },
      security: [{ apiKey: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  app.get(
    '/health',
    { schema: { tags: ['System'], summary: 'Liveness: 200 once migrations ran', security: [] } },
    async () => {
      await ctx.db.query('select 1');
      return { status: 'ok' };
    },
  );
  await app.register((scope) => registerDashboard(scope, ctx, options.dashboard));

  await app.register(async (v1) => {
    requireApiKey(v1, ctx);
    idempotency(v1, ctx);
    v1.get(
      '/v1/store',
      { schema: { tags: ['Store'], summary: 'The store this API key belongs to' } },
      async (req) => {
        const res = await ctx.db.query(
          'select id, slug, name, currency, timezone, created_at from stores where id = $1',
          [req.storeId],
        );
        return res.rows[0];
      },
    );
    registerCustomerRoutes(v1, ctx);
    registerCallRoutes(v1, ctx);
    registerOrderRoutes(v1, ctx);
    registerScoreRoutes(v1, ctx);
    registerCheckoutRoutes(v1, ctx);
    registerLoyaltyJobRoutes(v1, ctx);
    for (const plugin of options.v1Plugins ?? []) plugin(v1, ctx);
  });
  await app.register(async (admin) => {
    requireAdminToken(admin, ctx);
    registerAdminRoutes(admin, ctx);
    registerStaffAdminRoutes(admin, ctx);
    registerLoyaltyAdminRoutes(admin, ctx);
    for (const plugin of options.adminPlugins ?? []) plugin(admin, ctx);
  });
  return app;
}
