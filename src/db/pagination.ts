import { ComebackError } from '../kernel/errors.ts';
import { isStorableInstant } from '../kernel/time.ts';

/**
 * A page's cursor as clients see it: the keyset position as base64url JSON, opaque to them. Every
 * listing's cursor goes through these two, each with its own shape.
 */
export function encodeOpaqueCursor(position: unknown): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

/**
 * The position a cursor holds, when `read` accepts its shape (returns it, else null); anything
 * else, this API's or not, is a 400 at `path`.
 */
export function decodeOpaqueCursor<T>(
  text: string,
  read: (position: unknown) => T | null,
  path = 'cursor',
  hint = 'invalid cursor',
): T {
  let position: T | null = null;
  try {
    position = read(JSON.parse(Buffer.from(text, 'base64url').toString('utf8')));
  } catch {}
  if (position === null)
    throw new ComebackError('VALIDATION_FAILED', 'The cursor is not one this API returned', [
      { path, message: hint },
    ]);
  return position;
}

/** The strings of a cursor's tuple, when it is a tuple of `n` strings. */
export function stringTuple(position: unknown, n: number): string[] | null {
  return Array.isArray(position) && position.length === n && position.every((p) => typeof p === 'string')
    ? position
    : null;
}

/** A keyset cursor over (updated_at, id): stable under concurrent writes, opaque to clients. */
export interface Cursor {
  ts: string;
  id: string;
}

export function encodeCursor(c: Cursor): string {
  return encodeOpaqueCursor([c.ts, c.id]);
}

export function decodeCursor(text: string): Cursor {
  return decodeOpaqueCursor(text, (position) => {
    const t = stringTuple(position, 2);
    // The time goes into SQL as a timestamptz: one that is no time must fail here, not in the database.
    return t && isStorableInstant(t[0]) ? { ts: t[0], id: t[1] } : null;
  });
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

  /** Adds a clause with several parameters (a keyset's `(a, b) > (?, ?)`): each `?` takes the next value. */
  addAll(clause: string, values: readonly unknown[]): this {
    let i = 0;
    this.clauses.push(
      clause.replace(/\?/g, () => {
        this.params.push(values[i++]);
        return `$${this.params.length}`;
      }),
    );
    return this;
  }

  addCursor(cursor: string | undefined, table = ''): this {
    if (!cursor) return this;
    const c = decodeCursor(cursor);
    const t = table ? `${table}.` : '';
    return this.addAll(`(${t}updated_at, ${t}id) > (?::timestamptz, ?)`, [c.ts, c.id]);
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
