import PgBoss from 'pg-boss';
import type { Db } from '../db/client.ts';

/**
 * The durable job queue (pg-boss) on the app's own database: on PGlite through the one shared
 * connection, on PostgreSQL through the pool. Statements without parameters may be several at once
 * (pg-boss's schema set-up), so they go through `exec`-style simple queries.
 */
export async function startQueue(db: Db): Promise<PgBoss> {
  const boss = new PgBoss({
    db: {
      async executeSql(text: string, values: unknown[]) {
        if (values && values.length > 0) return db.query(text, values);
        if (db.kind === 'pglite' && text.includes(';')) {
          await db.exec(text);
          return { rows: [] };
        }
        return db.query(text);
      },
    },
    schema: 'pgboss',
    supervise: true,
    schedule: true,
    migrate: true,
  });
  boss.on('error', () => {});
  await boss.start();
  return boss;
}
