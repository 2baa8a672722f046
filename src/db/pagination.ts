import { ComebackError } from '../kernel/errors.ts';
import { isStorableInstant } from '../kernel/time.ts';

/** A keyset cursor over (updated_at, id): stable under concurrent writes, opaque to clients. */
export interface Cursor {
  ts: string;
  id: string;
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.ts, c.id])).toString('base64url');
}

export function decodeCursor(text: string): Cursor {
  try {
    const [ts, id] = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as [string, string];
    // The time goes into SQL as a timestamptz: one that is no time must fail here, not in the database.
    if (typeof ts !== 'string' || typeof id !== 'string' || !isStorableInstant(ts)) throw new Error('shape');
    return { ts, id };
  } catch {
    throw new ComebackError('VALIDATION_FAILED', 'The cursor is not one this API returned', [
      { path: 'cursor', message: 'invalid cursor' },
    ]);
  }
}

/** Builds a `where` fragment list with numbered parameters. */
export class SqlFilter {
  readonly clauses: string[] = [];
  readonly params: unknown[];

  constructor(initial: unknown[] = []) {
    this.params = [...initial];
  }

  /** Adds a clause; `?` in it is replaced by the next parameter's placeholder. */
  add(clause: string, value: unknown): this {
    this.params.push(value);
    this.clauses.push(clause.replace('?', `$${this.params.length}`));
    return this;
  }

  addCursor(cursor: string | undefined, table = ''): this {
    if (!cursor) return this;
    const c = decodeCursor(cursor);
    const t = table ? `${table}.` : '';
    this.params.push(c.ts, c.id);
    const n = this.params.length;
    this.clauses.push(`(${t}updated_at, ${t}id) > ($${n - 1}::timestamptz, $${n})`);
    return this;
  }

  where(): string {
    return this.clauses.length ? `where ${this.clauses.join(' and ')}` : '';
  }

  next(): string {
    return `$${this.params.length + 1}`;
  }
}

/** Cuts one extra fetched row off and makes the next cursor from the last row kept. */
export function page<T extends { id: string }>(
  rows: Array<T & { cursor_ts: string }>,
  limit: number,
): { data: T[]; next_cursor: string | null } {
  const more = rows.length > limit;
  const kept = more ? rows.slice(0, limit) : rows;
  const last = kept[kept.length - 1];
  const data = kept.map(({ cursor_ts: _c, ...rest }) => rest as unknown as T);
  return { data, next_cursor: more && last ? encodeCursor({ ts: last.cursor_ts, id: last.id }) : null };
}
