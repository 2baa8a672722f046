import { type IngestContext, type IngestInputs, type IngestKind, ingest } from '../orders/ingest.ts';
import { type DemoLogin, ensureDemoOwner } from '../staff/demo-owner.ts';
import { createApiKey, createStore, findStoreBySlug } from '../stores/repository.ts';
import { generateDemoStore } from './generate.ts';

export const DEMO_SLUG = 'demo';

export interface DemoLoadOptions {
  customers: number;
  seed: number;
  /** End of the generated history; the shell passes today. */
  now: Date;
  onProgress?: (done: number, total: number, stage: string) => void;
}

export interface DemoLoadResult {
  storeId: string;
  created: boolean;
  counts: Record<string, number>;
  /** Set when this load created the store: the demo store's first API key. */
  apiKey?: string;
  /** The demo owner's dashboard login (null when the owner was made by hand). */
  login: DemoLogin | null;
}

const BATCH = 1000;

/**
 * Creates (or refreshes) the `demo` store from the synthetic generator through the same ingestion
 * path as the API, so loading twice with one seed and day changes nothing.
 */
export async function loadDemoStore(ctx: IngestContext, options: DemoLoadOptions): Promise<DemoLoadResult> {
  let store = await findStoreBySlug(ctx.db, DEMO_SLUG);
  let apiKey: string | undefined;
  const created = !store;
  if (!store) {
    store = await createStore(ctx.db, ctx.ids, {
      slug: DEMO_SLUG,
      name: 'Demo store',
      currency: 'EUR',
      timezone: 'Europe/Bucharest',
    });
    apiKey = (await createApiKey(ctx.db, ctx.ids, store.id, 'demo')).secret;
    // The demo key is kept so `npm start` can show it on every start; real stores' keys are only hashed.
    await ctx.db.query(
      `update stores set settings = settings || jsonb_build_object('demo_api_key', $2::text) where id = $1`,
      [store.id, apiKey],
    );
  }
  // The owner exists before the data: the dashboard can be opened while the demo loads.
  const login = await ensureDemoOwner(ctx.db, ctx.ids, store.id);
  const demo = generateDemoStore({ customers: options.customers, seed: options.seed, now: options.now });
  const stages: Array<[IngestKind, ReadonlyArray<IngestInputs[IngestKind]>]> = [
    ['products', demo.products],
    ['customers', demo.customers],
    ['orders', demo.orders],
    ['refunds', demo.refunds],
    ['carts', demo.carts],
    ['events', demo.events],
  ];
  const total = stages.reduce((a, [, list]) => a + list.length, 0);
  let done = 0;
  const counts: Record<string, number> = {};
  for (const [kind, list] of stages) {
    for (let i = 0; i < list.length; i += BATCH) {
      const chunk = list.slice(i, i + BATCH);
      await ingest(ctx, store.id, kind, chunk);
      done += chunk.length;
      options.onProgress?.(done, total, kind);
    }
    counts[kind] = list.length;
  }
  return { storeId: store.id, created, counts, apiKey, login };
}
