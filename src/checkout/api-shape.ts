/** The core's camelCase values as the API shows them: snake_case keys, `…At` epoch milliseconds as ISO-8601. */

function snake(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
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
    out[snake(k)] = k.endsWith('At') && typeof v === 'number' ? new Date(v).toISOString() : toApiShape(v);
  }
  return out;
}
