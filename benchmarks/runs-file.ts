/**
 * The runs file (JSON lines, one run record each), safe under concurrent writers on one machine:
 * every append happens under an exclusive lock file (`<file>.lock`, created with O_EXCL, holding the
 * writer's pid; a lock whose process is gone is taken over), re-checks the record's key against the
 * file, and writes the line with one O_APPEND write. A kill at any moment leaves whole lines plus at
 * most one torn last line, which readers skip (and the next append starts on a new line).
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeSync, appendFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { ConfigError } from '../env/core/errors.ts';

const LOCK_WAIT_MS = 120_000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** Run `fn` holding the exclusive lock `lockPath` (waits for a live holder; takes over a dead one's). */
export function withLock<T>(lockPath: string, fn: () => T): T {
  mkdirSync(dirname(lockPath), { recursive: true });
  const t0 = Date.now();
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(lockPath, 'wx');
      writeSync(fd, `${process.pid} ${hostname()}\n`);
      closeSync(fd);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new ConfigError(`cannot create lock ${lockPath}: ${(e as Error).message}`);
      let holder = NaN;
      try {
        const [pid, host] = readFileSync(lockPath, 'utf8').trim().split(' ');
        holder = host === hostname() ? Number(pid) : NaN;
      } catch {
        // the holder is between create and write, or just released it
      }
      if (Number.isInteger(holder) && !alive(holder)) {
        try {
          unlinkSync(lockPath); // a dead writer's lock
        } catch {
          // someone else took it over first
        }
        continue;
      }
      if (Date.now() - t0 > LOCK_WAIT_MS) throw new ConfigError(`${lockPath} has been held for over ${LOCK_WAIT_MS / 1000} s by ${Number.isInteger(holder) ? `pid ${holder}` : 'another machine'}: remove it if no bench is running`);
      sleep(Math.min(50, 2 + attempt));
    }
  }
  try {
    return fn();
  } finally {
    try {
      unlinkSync(lockPath);
    } catch {
      // already gone: nothing to release
    }
  }
}

/** `withLock` for async work: the lock file is held (and waited for, without blocking the thread) until `fn` settles. */
export async function withLockAsync<T>(lockPath: string, fn: () => Promise<T>, waitMs = 3_600_000): Promise<T> {
  mkdirSync(dirname(lockPath), { recursive: true });
  const t0 = Date.now();
  for (;;) {
    try {
      const fd = openSync(lockPath, 'wx');
      writeSync(fd, `${process.pid} ${hostname()}\n`);
      closeSync(fd);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new ConfigError(`cannot create lock ${lockPath}: ${(e as Error).message}`);
      let holder = NaN;
      try {
        const [pid, host] = readFileSync(lockPath, 'utf8').trim().split(' ');
        holder = host === hostname() ? Number(pid) : NaN;
      } catch {
        // between create and write, or just released
      }
      if (Number.isInteger(holder) && (holder === process.pid ? false : !alive(holder))) {
        try {
          unlinkSync(lockPath);
        } catch {
          // taken over by someone else first
        }
        continue;
      }
      if (Date.now() - t0 > waitMs) throw new ConfigError(`${lockPath} has been held for over ${waitMs / 1000} s: remove it if nothing is running`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    return await fn();
  } finally {
    try {
      unlinkSync(lockPath);
    } catch {
      // already gone
    }
  }
}

export interface ParsedLines<T> {
  readonly items: T[];
  /** A torn last line (no newline, not JSON): a write cut short by a kill or a full disk. */
  readonly tornTail: boolean;
}

/** Parse a JSONL file: every complete line must be valid (`check`); a torn last line is skipped. */
export function readJsonLines<T>(path: string, check: (doc: unknown, where: string) => T): ParsedLines<T> {
  if (!existsSync(path)) return { items: [], tornTail: false };
  if (statSync(path).isDirectory()) throw new ConfigError(`${path} is a directory, expected a runs file (JSON lines)`);
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n');
  const items: T[] = [];
  let tornTail = false;
  lines.forEach((line, i) => {
    if (line.trim().length === 0) return;
    let doc: unknown;
    try {
      doc = JSON.parse(line);
    } catch {
      if (i === lines.length - 1) {
        tornTail = true;
        return;
      }
      throw new ConfigError(`${path}:${i + 1} is not JSON`);
    }
    items.push(check(doc, `${path}:${i + 1}`));
  });
  return { items, tornTail };
}

/**
 * Append `line` unless `isDuplicate` says the file already has its record; under the file's lock.
 * Returns whether it was written.
 */
export function appendUnique<T>(path: string, line: string, read: (path: string) => T[], isDuplicate: (existing: T[]) => boolean): boolean {
  if (line.includes('\n')) throw new RangeError('a runs-file line must not contain a newline');
  mkdirSync(dirname(path), { recursive: true });
  return withLock(`${path}.lock`, () => {
    if (isDuplicate(read(path))) return false;
    // a torn tail from a killed writer: start on a fresh line
    const needsBreak = existsSync(path) && statSync(path).size > 0 && !readFileSync(path, 'utf8').endsWith('\n');
    appendFileSync(path, (needsBreak ? '\n' : '') + line + '\n');
    return true;
  });
}
