import path from 'node:path';
import type { Config } from '../config.ts';
import { type Db, openPglite, openPostgres } from './client.ts';
import { type DataDirLock, lockDataDir } from './data-dir-lock.ts';
import { migrate } from './migrate.ts';

export interface OpenDatabase {
  db: Db;
  /** Held while the embedded database is open; null on PostgreSQL. */
  lock: DataDirLock | null;
  close(): Promise<void>;
}

/** Opens the configured database (PostgreSQL when DATABASE_URL is set, else embedded) and migrates it. */
export async function openDatabase(config: Config, command: string): Promise<OpenDatabase> {
  if (config.databaseUrl) {
    const db = await openPostgres(config.databaseUrl, config.poolSize);
    await migrate(db);
    return { db, lock: null, close: () => db.close() };
  }
  const lock = lockDataDir(config.dataDir, command);
  try {
    const db = await openPglite(path.join(config.dataDir, 'pgdata'));
    await migrate(db);
    return {
      db,
      lock,
      async close() {
        await db.close();
        lock.release();
      },
    };
  } catch (err) {
    lock.release();
    throw err;
  }
}
