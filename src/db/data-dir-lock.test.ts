import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ComebackError } from '../kernel/errors.ts';
import { type LockInfo, lockDataDir, readLock } from './data-dir-lock.ts';

const BIN = fileURLToPath(new URL('../../bin/comeback.js', import.meta.url));

/** The CLI as a separate process on the embedded database in `dataDir` (never a DATABASE_URL). */
function comeback(args: string[], dataDir: string): ChildProcess {
  const { DATABASE_URL: _, ...env } = process.env;
  return spawn(process.execPath, [BIN, ...args], {
    env: {
      ...env,
      COMEBACK_DATA_DIR: dataDir,
      PORT: '0',
      HOST: '127.0.0.1',
      COMEBACK_DEMO: 'off',
      LOG_LEVEL: 'silent',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

async function finished(
  child: ChildProcess,
): Promise<{ code: number | null; stderr: string; stdout: string }> {
  let stderr = '';
  let stdout = '';
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  child.stdout?.on('data', (d) => {
    stdout += d;
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stderr, stdout };
}

function lockFile(dir: string): LockInfo | null {
  try {
    return JSON.parse(readFileSync(path.join(dir, 'comeback.lock'), 'utf8')) as LockInfo;
  } catch {
    return null;
  }
}

/** A pid that was just in use and now is not. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await once(child, 'exit');
  return child.pid!;
}

describe('data directory lock', () => {
  let dir: string;
  let server: ChildProcess;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'comeback-lock-'));
    server = comeback(['serve'], dir);
    let log = '';
    server.stderr?.on('data', (d) => {
      log += d;
    });
    const deadline = Date.now() + 90_000;
    while (!lockFile(dir)?.url) {
      if (server.exitCode !== null) throw new Error(`comeback serve exited ${server.exitCode}: ${log}`);
      if (Date.now() > deadline) throw new Error(`comeback serve did not start: ${log}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }, 120_000);

  afterAll(() => {
    if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('names the serving process in its lock file', () => {
    const info = lockFile(dir)!;
    expect(info).toMatchObject({ pid: server.pid, command: 'comeback serve' });
    expect(info.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(readLock(dir)?.pid).toBe(server.pid);
  });

  it('a second server on the same directory fails at once, naming the holder', async () => {
    const started = Date.now();
    const second = await finished(comeback(['serve'], dir));
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`in use by process ${server.pid} (comeback serve`);
    expect(second.stderr).toContain(dir);
    // Fails before opening the database: the time it takes is the CLI's start-up, not a timeout.
    expect(Date.now() - started).toBeLessThan(20_000);
    // The holder is untouched.
    expect(lockFile(dir)?.pid).toBe(server.pid);
    expect(server.exitCode).toBeNull();
  });

  it('refuses this process too, with DATA_DIR_LOCKED and the holder in the message', () => {
    let error: unknown;
    try {
      lockDataDir(dir, 'test');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ComebackError);
    expect((error as ComebackError).code).toBe('DATA_DIR_LOCKED');
    expect((error as ComebackError).message).toContain(`process ${server.pid}`);
  });

  it('takes over the lock of a process that died without releasing it', async () => {
    server.kill('SIGKILL');
    await once(server, 'exit');
    // SIGKILL runs no exit handler: the file is still there, naming a dead process.
    expect(lockFile(dir)?.pid).toBe(server.pid);
    expect(readLock(dir)).toBeNull();
    const lock = lockDataDir(dir, 'test takes over');
    try {
      expect(lockFile(dir)).toMatchObject({ pid: process.pid, command: 'test takes over' });
    } finally {
      lock.release();
    }
    expect(existsSync(path.join(dir, 'comeback.lock'))).toBe(false);
  });

  it('takes over a stale lock written by any dead process, and a second taker then fails', async () => {
    const stale = mkdtempSync(path.join(tmpdir(), 'comeback-stale-'));
    try {
      const pid = await deadPid();
      writeFileSync(
        path.join(stale, 'comeback.lock'),
        JSON.stringify({ pid, command: 'comeback import', startedAt: '2026-01-01T00:00:00Z' }),
      );
      const lock = lockDataDir(stale, 'first');
      try {
        expect(lockFile(stale)?.pid).toBe(process.pid);
        // Held by a live process now (this one): another taker is refused.
        expect(() => lockDataDir(stale, 'second')).toThrow(`process ${process.pid} (first`);
      } finally {
        lock.release();
      }
    } finally {
      rmSync(stale, { recursive: true, force: true });
    }
  });
});
