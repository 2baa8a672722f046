import { hash as digest } from 'node:crypto';

/** JSON with sorted keys, so equal content hashes equally whatever the key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}

/** A short content fingerprint: re-sending identical data changes nothing. */
export function contentHash(value: unknown): string {
  return digest('sha256', canonicalJson(value), 'base64url').slice(0, 32);
}

/**
 * contentHash of a value whose objects already list their keys in sorted order (or that has none
 * besides arrays): the same hash without contentHash's generic key sort, which bulk ingestion feels.
 */
export function sortedContentHash(value: unknown): string {
  return digest('sha256', JSON.stringify(value), 'base64url').slice(0, 32);
}
