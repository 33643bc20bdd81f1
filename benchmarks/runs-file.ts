/**
 * The runs file (JSON lines, one run record each), safe under concurrent writers on one machine:
 * every append happens under an exclusive lock file (`<file>.lock`, lock-file.ts), re-checks the record's key against the
 * file, and writes the line with one O_APPEND write. A kill at any moment leaves whole lines plus at
 * most one torn last line, which readers skip (and the next append starts on a new line).
 */
import { existsSync, mkdirSync, readFileSync, statSync, appendFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError } from '../env/core/errors.ts';
import { withLock } from './lock-file.ts';

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
