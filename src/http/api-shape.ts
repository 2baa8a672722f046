/**
 * The one mapping between the core's values and the API's: the core speaks camelCase with times as
 * epoch milliseconds (`startsAt`), the API snake_case with ISO-8601 (`starts_at`). The API's request
 * schemas are derived from the core's zod schemas here, so a field is declared (and documented) once.
 */
import { z } from 'zod';
import { type ErrorDetail, validationFailed } from '../kernel/errors.ts';

const snakeKeys = new Map<string, string>();

/** `minSubtotalMinor` → `min_subtotal_minor` (remembered: every response converts the same few keys). */
export function snakeKey(key: string): string {
  let snake = snakeKeys.get(key);
  if (snake === undefined) {
    snake = key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    // Keys come from our own types, but a bound keeps arbitrary ones (attributes) from growing it.
    if (snakeKeys.size < 10_000) snakeKeys.set(key, snake);
  }
  return snake;
}

/** `min_subtotal_minor` → `minSubtotalMinor`. */
export function camelKey(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

/**
 * Deep copy with snake_case keys; numbers under keys ending in `At` become ISO strings.
 * @example toApiShape({ lineId: 'l1', endedAt: 0 }) // { line_id: 'l1', ended_at: '1970-01-01T00:00:00.000Z' }
 */
export function toApiShape(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toApiShape);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[snakeKey(k)] = k.endsWith('At') && typeof v === 'number' ? new Date(v).toISOString() : toApiShape(v);
  }
  return out;
}

/**
 * The inverse of `toApiShape`: camelCase keys; strings under keys ending in `_at` become epoch ms.
 * @example fromApiShape({ ends_at: '1970-01-01T00:00:00Z' }) // { endsAt: 0 }
 */
export function fromApiShape(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(fromApiShape);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[camelKey(k)] = k.endsWith('_at') && typeof v === 'string' ? Date.parse(v) : fromApiShape(v);
  }
  return out;
}

/** A core issue's path as the client sees it: `['conditions', 0, 'args', 'amountMinor']` → `conditions[0].args.amount_minor`. */
export function apiPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${snakeKey(String(p))}` : snakeKey(String(p));
  }
  return out || '(root)';
}

/**
 * Parses an API-shaped value (already checked by its `apiSchema`) with the core schema, which adds
 * the checks across fields; its refusals come back as one 422 with API paths.
 */
export function parseFromApi<S extends z.ZodType>(core: S, value: unknown, what: string): z.output<S> {
  const parsed = core.safeParse(fromApiShape(value));
  if (parsed.success) return parsed.data;
  const details: ErrorDetail[] = parsed.error.issues.map((i) => ({
    path: apiPath(i.path),
    message: i.message,
  }));
  throw validationFailed(`The ${what} is invalid`, details);
}

// biome-ignore lint/suspicious/noExplicitAny: zod's internal definitions are untyped at this level
type Def = any;

function defOf(s: z.ZodType): Def {
  return (s as unknown as { _zod: { def: Def } })._zod.def;
}

function clone(s: z.ZodType, def: Def): z.ZodType {
  const c = (s as unknown as { clone(d: Def): z.ZodType }).clone(def);
  return s.description ? c.describe(s.description) : c;
}

interface WalkOptions {
  /** False for patches: fields with a default become optional, so an absent one keeps its stored value. */
  defaults: boolean;
}

function walk(s: z.ZodType, instant: boolean, o: WalkOptions): z.ZodType {
  const def = defOf(s);
  switch (def.type) {
    case 'object': {
      const shape: Record<string, z.ZodType> = {};
      for (const [k, v] of Object.entries(def.shape as Record<string, z.ZodType>))
        shape[snakeKey(k)] = walk(v, k.endsWith('At'), o);
      // Strict: a camelCase or misspelt field is an error, not silently dropped. Checks across
      // fields name camelCase keys; the core schema runs them after mapping (parseFromApi).
      return clone(s, { ...def, shape, catchall: z.never(), checks: [] });
    }
    case 'array':
      return clone(s, { ...def, element: walk(def.element, false, o) });
    case 'union':
      return clone(s, { ...def, options: (def.options as z.ZodType[]).map((x) => walk(x, false, o)) });
    case 'nullable':
    case 'optional':
      return clone(s, { ...def, innerType: walk(def.innerType, instant, o) });
    case 'default':
    case 'prefault': {
      const inner = walk(def.innerType, instant, o);
      if (!o.defaults) return s.description ? inner.optional().describe(s.description) : inner.optional();
      return clone(s, { ...def, innerType: inner });
    }
    case 'number': {
      if (!instant) return s;
      const iso = z.iso.datetime({ offset: true });
      return s.description ? iso.describe(s.description) : iso;
    }
    default:
      return s;
  }
}

/**
 * The API's request schema for a core schema: snake_case keys, strict objects, `…At` epoch
 * milliseconds as ISO-8601 date-times, the core's descriptions and per-field checks kept.
 */
export function apiSchema(core: z.ZodType, o: WalkOptions = { defaults: true }): z.ZodType {
  return walk(core, false, o);
}

/**
 * RFC 7396-style merge of a patch into a stored value: objects merge key by key, everything else
 * (arrays, scalars, null) replaces.
 */
export function mergePatch(base: unknown, patch: unknown): unknown {
  if (patch === undefined) return base;
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  if (base === null || typeof base !== 'object' || Array.isArray(base)) return patch;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(patch)) out[k] = mergePatch(out[k], v);
  return out;
}
