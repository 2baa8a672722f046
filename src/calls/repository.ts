import type { Queryable } from '../db/client.ts';
import type { IdGenerator } from '../kernel/ids.ts';
import { CALL_REST_DAYS, type CallOutcome, REACHED_OUTCOMES } from './rules.ts';

export interface CallRecord {
  id: string;
  customer_id: string;
  outcome: CallOutcome;
  note: string;
  called_by: string | null;
  source: 'dashboard' | 'api';
  called_at: Date;
  created_at: Date;
}

const COLUMNS = 'id, customer_id, outcome, note, called_by, source, called_at, created_at';

/** Appends one call outcome; there is no update or delete (the table refuses updates too). */
export async function logCall(
  q: Queryable,
  ids: IdGenerator,
  storeId: string,
  input: {
    customerId: string;
    outcome: CallOutcome;
    note: string;
    calledBy: string | null;
    source: 'dashboard' | 'api';
    calledAt: Date;
  },
): Promise<CallRecord> {
  const res = await q.query<CallRecord>(
    `insert into call_outcomes (store_id, id, customer_id, outcome, note, called_by, source, called_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8) returning ${COLUMNS}`,
    [
      storeId,
      ids('callOutcome'),
      input.customerId,
      input.outcome,
      input.note,
      input.calledBy,
      input.source,
      input.calledAt,
    ],
  );
  return res.rows[0];
}

/** A customer's calls, newest first. */
export async function listCalls(
  q: Queryable,
  storeId: string,
  customerId: string,
  limit = 100,
): Promise<CallRecord[]> {
  const res = await q.query<CallRecord>(
    `select ${COLUMNS} from call_outcomes where store_id = $1 and customer_id = $2
     order by called_at desc, id desc limit $3`,
    [storeId, customerId, limit],
  );
  return res.rows;
}

/**
 * SQL for the call list: the latest call of customer `c` as columns (`last_call_outcome`,
 * `last_call_at`, `last_call_note`), and a condition that is true while rule `onCallList` keeps them.
 * `nowParam` is the query parameter holding now.
 */
export function lastCallSql(nowParam: string): { join: string; columns: string; keep: string } {
  const reached = REACHED_OUTCOMES.map((o) => `'${o}'`).join(', ');
  return {
    join: `left join lateral (select k.outcome, k.called_at, k.note from call_outcomes k
             where k.store_id = c.store_id and k.customer_id = c.id
             order by k.called_at desc, k.id desc limit 1) lc on true`,
    columns: 'lc.outcome as last_call_outcome, lc.called_at as last_call_at, lc.note as last_call_note',
    keep: `(lc.outcome is null or lc.outcome not in (${reached})
             or lc.called_at <= ${nowParam}::timestamptz - interval '${CALL_REST_DAYS} days')`,
  };
}
