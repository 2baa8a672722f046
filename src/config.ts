import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

const Env = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  COMEBACK_DATA_DIR: z.string().min(1).default('.comeback'),
  // libpq's URI form, which a WHATWG URL check refuses for a Unix socket (`postgres://user@/db?host=/run/postgresql`).
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/\S*$/, 'must be a postgres:// or postgresql:// connection URI')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  COMEBACK_DEMO: z.enum(['auto', 'off']).default('auto'),
  COMEBACK_DEMO_CUSTOMERS: z.coerce.number().int().min(10).max(1_000_000).default(5000),
  COMEBACK_PUBLIC_URL: z.string().url().optional(),
  COMEBACK_WEB_DIR: z.string().min(1).optional(),
});

/**
 * PostgreSQL connections per process when not configured: twice the cores. More backends than that
 * compete for the cores instead of working: on 2 cores, 4 connections served a quarter more
 * checkout commits than 20, at a lower p99 (bench/checkout.ts). Raise it when PostgreSQL runs on a
 * larger machine than the app, or long jobs share the process.
 */
export function defaultPoolSize(cores = usableCores()): number {
  return Math.max(2, 2 * cores);
}

function readOrNull(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/**
 * The cores this process may use: its CPU set, capped by the CPU quotas of its cgroup and the
 * cgroups above it (v2 `cpu.max`, or v1's CFS quota), which Node 20's libuv does not read: a
 * container or service limited to 2 CPUs on a 64-core host would otherwise count 64.
 */
export function usableCores(): number {
  const quotas = [
    ...cgroupV2Path(readOrNull('/proc/self/cgroup')).map((dir) =>
      cgroupV2Quota(readOrNull(`/sys/fs/cgroup${dir}/cpu.max`)),
    ),
    cgroupV1Quota(
      readOrNull('/sys/fs/cgroup/cpu/cpu.cfs_quota_us'),
      readOrNull('/sys/fs/cgroup/cpu/cpu.cfs_period_us'),
    ),
  ].filter((q): q is number => q !== null);
  const cpus = os.availableParallelism();
  return quotas.length === 0 ? cpus : Math.max(1, Math.min(cpus, Math.ceil(Math.min(...quotas))));
}

/** The v2 cgroup directories from the process's own (in /proc/self/cgroup) up to the root ('' for it). */
export function cgroupV2Path(procSelfCgroup: string | null): string[] {
  const own = procSelfCgroup
    ?.split('\n')
    .find((l) => l.startsWith('0::'))
    ?.slice(3)
    .trim();
  if (!own) return [''];
  const dirs: string[] = [];
  for (let dir = own === '/' ? '' : own; ; dir = dir.slice(0, dir.lastIndexOf('/'))) {
    dirs.push(dir);
    if (dir === '') return dirs;
  }
}

/** CPUs a quota of `quota` µs per `period` µs allows, or null when either is not a positive number. */
function quotaRatio(quota: number, period: number): number | null {
  return Number.isFinite(quota) && Number.isFinite(period) && quota > 0 && period > 0 ? quota / period : null;
}

/** CPUs a v2 cgroup's `cpu.max` allows (1.5 for "150000 100000"), or null when it sets none ("max", no file). */
export function cgroupV2Quota(cpuMax: string | null): number | null {
  if (cpuMax === null) return null;
  const [quota, period = '100000'] = cpuMax.trim().split(/\s+/);
  return quota === 'max' ? null : quotaRatio(Number(quota), Number(period));
}

/** CPUs a v1 cgroup's CFS quota and period allow, or null when it sets none (-1, no file). */
export function cgroupV1Quota(quotaUs: string | null, periodUs: string | null): number | null {
  return quotaUs === null || periodUs === null ? null : quotaRatio(Number(quotaUs), Number(periodUs));
}

/** The whole configuration, read once from the environment, validated and frozen. */
export interface Config {
  port: number;
  host: string;
  /** Absolute path of the embedded database's directory (used when no DATABASE_URL). */
  dataDir: string;
  databaseUrl: string | undefined;
  poolSize: number;
  logLevel: z.infer<typeof Env>['LOG_LEVEL'];
  /** `auto`: load the demo store on the first start of an empty database. */
  demo: 'auto' | 'off';
  demoCustomers: number;
  publicUrl: string | undefined;
  /** The built dashboard to serve; undefined: the package's web/dist. */
  webDir: string | undefined;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Readonly<Config> {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new Error(`Invalid environment:\n${lines}`);
  }
  const e = parsed.data;
  return Object.freeze({
    port: e.PORT,
    host: e.HOST,
    dataDir: path.resolve(cwd, e.COMEBACK_DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    poolSize: e.DATABASE_POOL_SIZE ?? defaultPoolSize(),
    logLevel: e.LOG_LEVEL,
    demo: e.COMEBACK_DEMO,
    demoCustomers: e.COMEBACK_DEMO_CUSTOMERS,
    publicUrl: e.COMEBACK_PUBLIC_URL,
    webDir: e.COMEBACK_WEB_DIR ? path.resolve(cwd, e.COMEBACK_WEB_DIR) : undefined,
  });
}
