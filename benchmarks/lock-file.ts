/**
 * Lock files for one machine: a lock is a file created with O_EXCL holding its owner's pid and host;
 * a lock whose owner process on this host is gone is stale and taken over. Used for appends to a
 * runs file, for pre-training shared by shards, and for trajectory claims.
 */
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { ConfigError } from '../env/core/errors.ts';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Take `path` if free (or stale); else say who holds it ('another machine' when it cannot tell). */
export function tryLock(path: string): { taken: true } | { taken: false; holder: string } {
  mkdirSync(dirname(path), { recursive: true });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, `${process.pid} ${hostname()}\n`);
      closeSync(fd);
      return { taken: true };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new ConfigError(`cannot create lock ${path}: ${(e as Error).message}`);
      let pid = NaN;
      let host = '';
      try {
        [pid, host] = ((s) => [Number(s[0]), s[1] ?? ''])(readFileSync(path, 'utf8').trim().split(' ')) as [number, string];
      } catch {
        return { taken: false, holder: 'a writer that is starting or finishing' };
      }
      // a live owner (this process's other threads included) keeps it; a dead one's is taken over
      if (host !== hostname() || !Number.isInteger(pid) || alive(pid)) return { taken: false, holder: host === hostname() ? `pid ${pid}` : 'another machine' };
      try {
        unlinkSync(path);
      } catch {
        // someone else took the stale lock over first
      }
    }
  }
  return { taken: false, holder: 'a competing writer' };
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
