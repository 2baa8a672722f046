import { markOrdersArrived } from '../checkout/repository.ts';
import { appendConsents, findCustomer, type UpsertResult, upsertCustomers } from '../customers/repository.ts';
import type { ConsentInput, CustomerInput } from '../customers/schemas.ts';
import { noteRowsWritten, withInsertRetry } from '../db/bulk.ts';
import type { Db } from '../db/client.ts';
import { RecordError } from '../kernel/errors.ts';
import type { IdGenerator } from '../kernel/ids.ts';
import type { Clock } from '../kernel/time.ts';
import { earnForIngestedOrders, reverseForIngestedRefunds } from '../loyalty/ingest-repository.ts';
import { insertEvents, upsertCarts, upsertOrders, upsertProducts, upsertRefunds } from './repository.ts';
import type { CartInput, EventInput, OrderInput, ProductInput, RefundInput } from './schemas.ts';

export interface IngestContext {
  db: Db;
  ids: IdGenerator;
  clock: Clock;
}

/** A consent sent on its own: for a customer by our id or external id. */
export interface ConsentRecord extends ConsentInput {
  customer_id?: string | null;
  customer_external_id?: string | null;
}

export interface IngestInputs {
  customers: CustomerInput;
  products: ProductInput;
  orders: OrderInput;
  refunds: RefundInput;
  carts: CartInput;
  events: EventInput;
  consents: ConsentRecord;
}
export type IngestKind = keyof IngestInputs;

export interface IngestOutcome {
  /** One per input, in input order (inputs sharing an external id share the outcome). */
  results: Array<{
    id: string | null;
    external_id: string | null;
    status: 'created' | 'updated' | 'unchanged';
  }>;
  created: number;
  updated: number;
  unchanged: number;
}

function byExternalId(
  inputs: ReadonlyArray<{ external_id: string }>,
  map: Map<string, UpsertResult>,
): IngestOutcome['results'] {
  return inputs.map((i) => map.get(i.external_id)!);
}

/** Our ids of the records a batch created or changed. */
function changedIds(map: Map<string, UpsertResult>): string[] {
  const out: string[] = [];
  for (const r of map.values()) if (r.status !== 'unchanged' && r.id !== null) out.push(r.id);
  return out;
}

/** Rows a batch may have written, per table (an upper bound: unchanged records count too). */
function rowsWritten<K extends IngestKind>(
  kind: K,
  inputs: ReadonlyArray<IngestInputs[K]>,
): Record<string, number> {
  switch (kind) {
    case 'orders': {
      const orders = inputs as readonly OrderInput[];
      let lines = 0;
      let customers = 0;
      for (const o of orders) {
        lines += o.lines.length;
        if (o.customer) customers++;
      }
      return { customers, orders: orders.length, order_lines: lines };
    }
    default: // the other kinds are named after their table
      return { [kind]: inputs.length };
  }
}

/**
 * Writes a batch of one kind atomically (all or nothing), retrying when a concurrent writer won an
 * insert race. The one ingestion path for the REST API, file imports and the demo store.
 */
export async function ingest<K extends IngestKind>(
  ctx: IngestContext,
  storeId: string,
  kind: K,
  inputs: ReadonlyArray<IngestInputs[K]>,
): Promise<IngestOutcome> {
  const now = ctx.clock();
  const results = await withInsertRetry(() =>
    ctx.db.tx(async (q): Promise<IngestOutcome['results']> => {
      switch (kind) {
        case 'customers': {
          const list = inputs as readonly CustomerInput[];
          return byExternalId(list, await upsertCustomers(q, ctx.ids, storeId, list, now));
        }
        case 'products': {
          const list = inputs as readonly ProductInput[];
          return byExternalId(list, await upsertProducts(q, ctx.ids, storeId, list));
        }
        case 'orders': {
          const list = inputs as readonly OrderInput[];
          const upserted = await upsertOrders(q, ctx.ids, storeId, list, now);
          // Loyalty points for the orders that are new or changed, in the same transaction.
          await earnForIngestedOrders(q, storeId, changedIds(upserted), now.getTime());
          await markOrdersArrived(
            q,
            storeId,
            list.map((o) => o.external_id),
          );
          return byExternalId(list, upserted);
        }
        case 'refunds': {
          const list = inputs as readonly RefundInput[];
          const upserted = await upsertRefunds(q, ctx.ids, storeId, list, now);
          await reverseForIngestedRefunds(q, storeId, changedIds(upserted), now.getTime());
          return byExternalId(list, upserted);
        }
        case 'carts': {
          const list = inputs as readonly CartInput[];
          return byExternalId(list, await upsertCarts(q, ctx.ids, storeId, list, now));
        }
        case 'events':
          return insertEvents(q, ctx.ids, storeId, inputs as readonly EventInput[], now);
        case 'consents': {
          const list = inputs as readonly ConsentRecord[];
          const items = [];
          for (const [i, c] of list.entries()) {
            const ref = c.customer_id ?? c.customer_external_id;
            const customer = ref ? await findCustomer(q, storeId, ref) : null;
            if (!customer) {
              throw new RecordError(i, `Consent ${i} names no existing customer`, [
                { path: 'customer_id', message: `no customer ${ref ?? '(none)'}` },
              ]);
            }
            const { customer_id: _a, customer_external_id: _b, ...consent } = c;
            items.push({ customerId: customer.id, consent, externalId: customer.external_id });
          }
          const changed = await appendConsents(q, ctx.ids, storeId, items, now);
          return items.map((it) => ({
            id: it.customerId,
            external_id: it.externalId,
            status: changed.has(it.customerId) ? ('created' as const) : ('unchanged' as const),
          }));
        }
        default:
          throw new Error(`unknown kind ${String(kind)}`);
      }
    }),
  );
  await noteRowsWritten(ctx.db, rowsWritten(kind, inputs));
  const counts = { created: 0, updated: 0, unchanged: 0 };
  // A record sent twice in one batch counts once; records without an id (events) each count.
  const seen = new Set<string>();
  for (const r of results) {
    if (r.id !== null && r.id !== undefined) {
      if (seen.has(r.id)) continue;
      seen.add(r.id);
    }
    counts[r.status] += 1;
  }
  return { results, ...counts };
}
