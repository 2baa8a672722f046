import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../http/context.ts';
import { IdParams } from '../http/resource.ts';
import { DEFAULT_ANALYTICS } from '../scores/jobs.ts';
import { staffOf } from '../staff/routes.ts';
import { createApiKey, revokeApiKey } from '../stores/repository.ts';
import { affectsScores, SettingsPatch } from './settings-rules.ts';

const hidden = { hide: true } as const;

/** Editing settings (owners): the store's profile, languages and analytics settings, and API keys. */
export function registerSettingsApi(app: FastifyInstance, ctx: AppContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.patch(
    '/app/api/settings',
    { config: { permission: 'settings' }, schema: { ...hidden, body: SettingsPatch } },
    async (req) => {
      const { storeId } = staffOf(req);
      const patch = req.body;
      return ctx.db.tx(async (q) => {
        const cur = await q.query<{ currency: string; settings: { analytics?: Record<string, unknown> } }>(
          'select currency, settings from stores where id = $1 for update',
          [storeId],
        );
        const before = cur.rows[0];
        const analytics = { ...DEFAULT_ANALYTICS, ...(before.settings.analytics ?? {}) };
        const changed = affectsScores(patch, { currency: before.currency, analytics });
        const settings: Record<string, unknown> = { ...before.settings };
        if (patch.analytics)
          settings.analytics = { ...(before.settings.analytics ?? {}), ...patch.analytics };
        if (patch.languages) settings.languages = patch.languages;
        const res = await q.query<Record<string, unknown> & { settings: Record<string, unknown> }>(
          `update stores set name = coalesce($2, name), currency = coalesce($3, currency),
             timezone = coalesce($4, timezone), settings = $5::jsonb
           where id = $1 returning id, slug, name, currency, timezone, settings, created_at`,
          [
            storeId,
            patch.name ?? null,
            patch.currency ?? null,
            patch.timezone ?? null,
            JSON.stringify(settings),
          ],
        );
        const { settings: saved, ...store } = res.rows[0];
        return {
          store,
          analytics: { ...DEFAULT_ANALYTICS, ...((saved.analytics as object) ?? {}) },
          languages: (saved.languages as string[] | undefined) ?? ['en'],
          scores_affected: changed,
        };
      });
    },
  );
  r.post(
    '/app/api/api-keys',
    {
      config: { permission: 'api_keys' },
      schema: { ...hidden, body: z.object({ name: z.string().trim().max(200, 'at most 200 characters') }) },
    },
    async (req, reply) => {
      const { storeId } = staffOf(req);
      const { key, secret } = await createApiKey(ctx.db, ctx.ids, storeId, req.body.name);
      reply.status(201);
      return { key, secret };
    },
  );
  r.delete(
    '/app/api/api-keys/:id',
    { config: { permission: 'api_keys' }, schema: { ...hidden, params: IdParams } },
    async (req) => revokeApiKey(ctx.db, staffOf(req).storeId, req.params.id),
  );
}
