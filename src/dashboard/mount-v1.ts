import type { FastifyInstance, RouteOptions } from 'fastify';
import type { Permission } from '../staff/rules.ts';

/**
 * Mounts routes written for /v1 under /app/api for the dashboard: the same handlers and schemas
 * (nothing copied), behind the session of the enclosing scope and `permission`, hidden from the
 * OpenAPI document. The /v1 routes find their store with `storeOf(req)`, which the session sets.
 * `adapt` may change a route further (a hook that signs adjustments with the session's user).
 */
export async function mountV1Routes(
  app: FastifyInstance,
  permission: Permission,
  register: (scope: FastifyInstance) => void,
  adapt: (route: RouteOptions) => void = () => {},
): Promise<void> {
  await app.register(async (scope) => {
    scope.addHook('onRoute', (route) => {
      if (!route.url.startsWith('/v1/')) return;
      route.url = `/app/api/${route.url.slice('/v1/'.length)}`;
      route.path = route.url;
      route.config = { ...route.config, permission };
      route.schema = { ...route.schema, hide: true };
      adapt(route);
    });
    register(scope);
  });
}
