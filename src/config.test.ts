import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('takes PostgreSQL connection URIs in libpq form, a Unix socket included', () => {
    for (const url of [
      'postgres://user:pw@db.example.com:5432/comeback',
      'postgresql:///comeback?host=/var/run/postgresql',
      'postgres://postgres@/comeback?host=/var/run/postgresql',
    ])
      expect(loadConfig({ DATABASE_URL: url }).databaseUrl).toBe(url);
    expect(loadConfig({ DATABASE_URL: '' }).databaseUrl).toBeUndefined();
  });

  it('refuses what is no PostgreSQL URI, naming the variable', () => {
    for (const url of ['mysql://db/comeback', 'localhost:5432', 'postgres://db /x'])
      expect(() => loadConfig({ DATABASE_URL: url })).toThrow(/DATABASE_URL: must be a postgres/);
  });
});
