/**
 * Lock files: a lock is a file created with O_EXCL holding its owner's pid and host; a lock whose owner
 * process on this host is gone is stale and taken over. A lock taken with a lease (trajectory claims, on
 * storage shared by several machines) is also stale once its file has not been touched for the lease:
 * its holder refreshes it while alive (`touchLock`), so a preempted node's claim, or a pid reused by
 * another process, lapses. Used for appends to a runs file, for pre-training shared by shards, and for
 * trajectory claims.
 */
import { closeSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, utimesSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { ConfigError } from './errors.ts';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export type LockAttempt = { taken: true; tookOver: string | null } | { taken: false; holder: string };

/** Milliseconds since the lock file was last touched (Infinity when it is gone). */
function lockAge(path: string): number {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return Infinity;
  }
}

/**
 * Take `path` if free or stale; else say who holds it. `leaseMs`: a lock untouched for longer is stale
 * whoever holds it (see touchLock). `tookOver` names the holder of a stale lock that was taken over.
 */
export function tryLock(path: string, leaseMs: number | null = null): LockAttempt {
  let tookOver: string | null = null;
  try {
    mkdirSync(dirname(path), { recursive: true });
  } catch (e) {
    throw new ConfigError(`cannot create lock ${path}: ${dirname(path)} cannot be a directory (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, `${process.pid} ${hostname()}\n`);
      closeSync(fd);
      return { taken: true, tookOver };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') throw new ConfigError(`cannot create lock ${path}: ${code ?? ''} ${(e as Error).message}`.replace(/\s+/g, ' '));
      let pid = NaN;
      let host = '';
      try {
        [pid, host] = ((s) => [Number(s[0]), s[1] ?? ''])(readFileSync(path, 'utf8').trim().split(' ')) as [number, string];
      } catch {
        return { taken: false, holder: 'a writer that is starting or finishing' };
      }
      const holder = host === hostname() ? `pid ${pid}` : `pid ${pid} on ${host || 'another machine'}`;
      const lapsed = leaseMs !== null && lockAge(path) > leaseMs;
      // a live owner (this process's other threads included) keeps it, unless its lease lapsed; a dead one's is taken over
      if (!lapsed && (host !== hostname() || !Number.isInteger(pid) || alive(pid))) return { taken: false, holder };
      tookOver = lapsed ? `${holder}, untouched for ${(lockAge(path) / 1000).toFixed(0)} s (lease ${(leaseMs! / 1000).toFixed(0)} s)` : `${holder}, no longer running`;
      try {
        unlinkSync(path);
      } catch {
        // someone else took the stale lock over first
      }
    }
  }
  return { taken: false, holder: 'a competing writer' };
}

/** Refresh a lock's lease (its file's mtime); false when the file is gone (taken over by another). */
export function touchLock(path: string): boolean {
  try {
    const now = new Date();
    utimesSync(path, now, now);
    return true;
  } catch {
    return false;
  }
}

export function releaseLock(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

const LOCK_WAIT_MS = 120_000;
const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** Run `fn` holding `lockPath` (waiting for a live holder, up to two minutes). */
export function withLock<T>(lockPath: string, fn: () => T): T {
  const t0 = Date.now();
  for (let attempt = 0; ; attempt++) {
    const r = tryLock(lockPath);
    if (r.taken) break;
    if (Date.now() - t0 > LOCK_WAIT_MS) throw new ConfigError(`${lockPath} has been held for over ${LOCK_WAIT_MS / 1000} s by ${r.holder}: remove it if nothing is running`);
    sleep(Math.min(50, 2 + attempt));
  }
  try {
    return fn();
  } finally {
    releaseLock(lockPath);
  }
}

/** `withLock` for async work: waits without blocking the thread, holds the lock until `fn` settles. */
export async function withLockAsync<T>(lockPath: string, fn: () => Promise<T>, waitMs = 3_600_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const r = tryLock(lockPath);
    if (r.taken) break;
    if (Date.now() - t0 > waitMs) throw new ConfigError(`${lockPath} has been held for over ${waitMs / 1000} s by ${r.holder}: remove it if nothing is running`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  try {
    return await fn();
  } finally {
    releaseLock(lockPath);
  }
}
