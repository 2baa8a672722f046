import os from 'node:os';
import { describe, expect, it } from 'vitest';
import {
  cgroupV1Quota,
  cgroupV2Path,
  cgroupV2Quota,
  defaultPoolSize,
  loadConfig,
  usableCores,
} from './config.ts';

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

  it('sizes the PostgreSQL pool at twice the cores unless told', () => {
    expect(defaultPoolSize(1)).toBe(2);
    expect(defaultPoolSize(2)).toBe(4);
    expect(defaultPoolSize(16)).toBe(32);
    expect(loadConfig({}).poolSize).toBe(defaultPoolSize());
    expect(loadConfig({ DATABASE_POOL_SIZE: '12' }).poolSize).toBe(12);
    expect(() => loadConfig({ DATABASE_POOL_SIZE: '0' })).toThrow(/DATABASE_POOL_SIZE/);
  });

  it("counts a container's CPU quota, not the host's cores", () => {
    expect(cgroupV2Quota('200000 100000\n')).toBe(2);
    expect(cgroupV2Quota('150000 100000')).toBe(1.5);
    expect(cgroupV2Quota('max 100000')).toBeNull();
    expect(cgroupV2Quota(null)).toBeNull();
    expect(cgroupV1Quota('50000', '100000')).toBe(0.5);
    expect(cgroupV1Quota('-1', '100000')).toBeNull();
    expect(cgroupV1Quota(null, null)).toBeNull();
    expect(cgroupV2Path('0::/system.slice/comeback.service\n')).toEqual([
      '/system.slice/comeback.service',
      '/system.slice',
      '',
    ]);
    expect(cgroupV2Path('0::/\n')).toEqual(['']);
    expect(cgroupV2Path(null)).toEqual(['']);
    expect(usableCores()).toBeGreaterThanOrEqual(1);
    expect(usableCores()).toBeLessThanOrEqual(os.availableParallelism());
  });
});
