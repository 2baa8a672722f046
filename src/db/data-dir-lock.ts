import {
  closeSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { ComebackError } from '../kernel/errors.ts';

/** What the lock file says about its holder; a serving process adds where its API listens. */
export interface LockInfo {
  pid: number;
  command: string;
  startedAt: string;
  /** Set by `comeback serve` once it listens: the CLI sends its writes here instead. */
  url?: string;
  /** A per-run secret the local CLI uses for the admin endpoints; the file is 0600. */
  adminToken?: string;
}

export interface DataDirLock {
  readonly file: string;
  /** Rewrites the lock's info (e.g. to add the URL once listening). */
  update(info: Partial<LockInfo>): void;
  release(): void;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function readLock(dataDir: string): LockInfo | null {
  try {
    const info = JSON.parse(readFileSync(path.join(dataDir, 'comeback.lock'), 'utf8')) as LockInfo;
    return alive(info.pid) ? info : null;
  } catch {
    return null;
  }
}

/**
 * Takes the embedded database's directory for this process alone. PGlite does not guard against two
 * processes opening one directory and silently loses rows when they do (STACK.md), so a second
 * process fails at once with a message naming the holder. A lock left by a dead process is taken over.
 */
export function lockDataDir(dataDir: string, command: string): DataDirLock {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'comeback.lock');
  let info: LockInfo = { pid: process.pid, command, startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeFileSync(fd, JSON.stringify(info));
      closeSync(fd);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        try {
          if (JSON.parse(readFileSync(file, 'utf8')).pid === process.pid) unlinkSync(file);
        } catch {}
      };
      process.once('exit', release);
      return {
        file,
        update(extra) {
          info = { ...info, ...extra };
          const tmp = `${file}.${process.pid}.tmp`;
          writeFileSync(tmp, JSON.stringify(info), { mode: 0o600 });
          renameSync(tmp, file);
        },
        release,
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let holder: LockInfo | null = null;
      try {
        holder = JSON.parse(readFileSync(file, 'utf8')) as LockInfo;
      } catch {
        // Unreadable: a process starting this instant has not filled it yet (held), or one crashed
        // between creating and filling it (stale once it is a few seconds old).
        const modifiedMs = statSync(file, { throwIfNoEntry: false })?.mtimeMs;
        const stale = modifiedMs === undefined || Date.now() - modifiedMs > 5_000;
        holder = { pid: stale ? 0 : -1, command: 'unknown', startedAt: '' };
      }
      if (holder.pid === 0) {
        try {
          unlinkSync(file);
        } catch {}
        continue;
      }
      if (holder.pid > 0 && !alive(holder.pid)) {
        try {
          unlinkSync(file); // stale: its process is gone
        } catch {}
        continue;
      }
      throw new ComebackError(
        'DATA_DIR_LOCKED',
        `The data directory ${dataDir} is in use by process ${holder.pid} (${holder.command}, started ${holder.startedAt}). ` +
          'Stop that process or use another COMEBACK_DATA_DIR; the embedded database must not be opened twice.',
      );
    }
  }
  throw new ComebackError('DATA_DIR_LOCKED', `Could not lock the data directory ${dataDir}.`);
}
