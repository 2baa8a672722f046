import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { Config } from '../config.ts';
import { readLock } from '../db/data-dir-lock.ts';
import { type OpenDatabase, openDatabase } from '../db/open.ts';
import { type DemoLoadResult, loadDemoStore } from '../demo/load.ts';
import { type ImportProgress, type ImportReport, parseOptionsFor, runImport } from '../imports/run-import.ts';
import { databaseSink } from '../imports/sink.ts';
import { ComebackError, type ErrorCode, type ErrorDetail } from '../kernel/errors.ts';
import { createIdGenerator } from '../kernel/ids.ts';
import { type LoyaltyJobSummary, runLoyaltyJob } from '../loyalty/jobs.ts';
import type { FileFormat, ImportKind } from '../orders/formats/types.ts';
import { createStaffUser, type StaffUser } from '../staff/repository.ts';
import type { StaffRole } from '../staff/rules.ts';
import {
  type ApiKey,
  createApiKey,
  createStore,
  getStoreBySlug,
  listApiKeys,
  listStores,
  revokeApiKey,
  type Store,
} from '../stores/repository.ts';
import { systemClock } from '../system-clock.ts';

export interface ImportRequest {
  file: string;
  kind: ImportKind;
  format: FileFormat;
  dryRun: boolean;
  locale: 'en' | 'de';
  currency?: string;
  rejectsPath: string | null;
  onProgress(p: ImportProgress): void;
}

/** What the CLI does to a store, wherever the database is. */
export interface Target {
  /** `direct` opened the database; `server` goes through the running `comeback serve`. */
  readonly via: 'direct' | 'server';
  createStore(input: { slug: string; name?: string; currency?: string; timezone?: string }): Promise<Store>;
  listStores(): Promise<Store[]>;
  createKey(slug: string, name?: string): Promise<{ key: ApiKey; secret: string }>;
  listKeys(slug: string): Promise<ApiKey[]>;
  revokeKey(slug: string, idOrPrefix: string): Promise<ApiKey>;
  createUser(slug: string, input: { email: string; role: StaffRole; password: string }): Promise<StaffUser>;
  importFile(slug: string, req: ImportRequest): Promise<ImportReport>;
  /** Runs a store's loyalty job now; null when the store has no program. */
  runLoyalty(slug: string): Promise<{ run_id: string | null; summary: LoyaltyJobSummary | null }>;
  loadDemo(
    customers: number,
    seed: number,
    onProgress: (done: number, total: number) => void,
  ): Promise<DemoLoadResult>;
  close(): Promise<void>;
}

/**
 * PostgreSQL, or an embedded directory nobody holds: open it directly. An embedded directory held by
 * a running `comeback serve`: send the work to that server's admin API (the directory must never be
 * opened twice). Held by anything else: fail with the holder's name.
 */
export async function openTarget(config: Config, command: string): Promise<Target> {
  if (!config.databaseUrl) {
    const holder = readLock(config.dataDir);
    if (holder?.url && holder.adminToken) return serverTarget(holder.url, holder.adminToken);
  }
  return directTarget(await openDatabase(config, command));
}

function directTarget(opened: OpenDatabase): Target {
  const ctx = { db: opened.db, ids: createIdGenerator(), clock: systemClock };
  return {
    via: 'direct',
    createStore: (input) => createStore(ctx.db, ctx.ids, input),
    listStores: () => listStores(ctx.db),
    createKey: async (slug, name) =>
      createApiKey(ctx.db, ctx.ids, (await getStoreBySlug(ctx.db, slug)).id, name),
    listKeys: async (slug) => listApiKeys(ctx.db, (await getStoreBySlug(ctx.db, slug)).id),
    revokeKey: async (slug, key) => revokeApiKey(ctx.db, (await getStoreBySlug(ctx.db, slug)).id, key),
    createUser: async (slug, input) =>
      createStaffUser(ctx.db, ctx.ids, (await getStoreBySlug(ctx.db, slug)).id, input),
    async importFile(slug, req) {
      const store = await getStoreBySlug(ctx.db, slug);
      return runImport({
        input: req.file,
        kind: req.kind,
        format: req.format,
        parseOptions: parseOptionsFor(req.locale, req.currency ?? store.currency),
        sink: databaseSink(ctx, store.id),
        dryRun: req.dryRun,
        rejectsPath: req.rejectsPath,
        onProgress: req.onProgress,
      });
    },
    async runLoyalty(slug) {
      const store = await getStoreBySlug(ctx.db, slug);
      const out = await runLoyaltyJob(ctx, store.id, 'cli', ctx.clock().getTime());
      return { run_id: out?.runId ?? null, summary: out?.summary ?? null };
    },
    loadDemo: (customers, seed, onProgress) =>
      loadDemoStore(ctx, { customers, seed, now: new Date(), onProgress }),
    close: () => opened.close(),
  };
}

function serverTarget(base: string, token: string): Target {
  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(base + path, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await res.json().catch(() => null)) as {
      error?: { code: ErrorCode; message: string; details?: ErrorDetail[] };
    } | null;
    if (!res.ok)
      throw new ComebackError(
        json?.error?.code ?? 'INTERNAL',
        json?.error?.message ?? `server answered ${res.status}`,
        json?.error?.details ?? [],
      );
    return json as T;
  }
  const slugPath = (slug: string) => `/admin/v1/stores/${encodeURIComponent(slug)}`;
  return {
    via: 'server',
    createStore: (input) => call('POST', '/admin/v1/stores', input),
    listStores: async () => (await call<{ data: Store[] }>('GET', '/admin/v1/stores')).data,
    createKey: (slug, name) => call('POST', `${slugPath(slug)}/keys`, { name }),
    listKeys: async (slug) => (await call<{ data: ApiKey[] }>('GET', `${slugPath(slug)}/keys`)).data,
    revokeKey: (slug, key) => call('DELETE', `${slugPath(slug)}/keys/${encodeURIComponent(key)}`),
    createUser: (slug, input) => call('POST', `${slugPath(slug)}/users`, input),
    async importFile(slug, req) {
      const size = (await stat(req.file)).size;
      const q = new URLSearchParams({
        kind: req.kind,
        format: req.format,
        locale: req.locale,
        dry_run: String(req.dryRun),
      });
      if (req.currency) q.set('currency', req.currency);
      if (req.rejectsPath) q.set('rejects_path', req.rejectsPath);
      q.set('file_name', req.file);
      const res = await fetch(`${base}${slugPath(slug)}/imports?${q}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'text/csv',
          'content-length': String(size),
          accept: 'application/x-ndjson',
        },
        body: Readable.toWeb(createReadStream(req.file)) as ReadableStream,
        duplex: 'half',
      } as RequestInit);
      if (!res.ok || !res.body) {
        const json = (await res.json().catch(() => null)) as {
          error?: { code: ErrorCode; message: string };
        } | null;
        throw new ComebackError(
          json?.error?.code ?? 'IMPORT_FAILED',
          json?.error?.message ?? `server answered ${res.status}`,
        );
      }
      let buffered = '';
      let report: ImportReport | null = null;
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffered += Buffer.from(chunk).toString('utf8');
        let nl = buffered.indexOf('\n');
        while (nl >= 0) {
          const msg = JSON.parse(buffered.slice(0, nl));
          buffered = buffered.slice(nl + 1);
          nl = buffered.indexOf('\n');
          if (msg.type === 'progress') req.onProgress({ ...msg, totalBytes: size });
          else if (msg.type === 'report') report = msg.report;
          else if (msg.type === 'error') throw new ComebackError(msg.error.code, msg.error.message);
        }
      }
      if (!report) throw new ComebackError('IMPORT_FAILED', 'the server ended the import without a report');
      return report;
    },
    runLoyalty: (slug) => call('POST', `${slugPath(slug)}/loyalty/jobs/run`),
    async loadDemo(customers, seed) {
      return call('POST', '/admin/v1/demo', { customers, seed });
    },
    close: async () => {},
  };
}
