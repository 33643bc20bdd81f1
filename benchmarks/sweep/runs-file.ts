/**
 * The runs file (JSON lines, one run record each), safe under concurrent writers on one machine:
 * every append happens under an exclusive lock file (`<file>.lock`, lock-file.ts), re-checks the record's key against the
 * file, and writes the line with one O_APPEND write. A kill or a full disk at any moment leaves whole
 * lines plus at most one torn last line: readers skip it (and say so), and the next append sets its bytes
 * aside in `<file>.torn-<time>` and cuts the file back to its last whole line before writing, so a torn
 * line never becomes a middle line that would lock every good record behind it.
 */
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, statSync, appendFileSync, truncateSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError } from '../../core/errors.ts';
import { writeFileAtomic } from '../../core/fs.ts';
import { withLock } from '../../core/lock-file.ts';

export interface ParsedLines<T> {
  readonly items: T[];
  /** A torn last line (no newline, not JSON): a write cut short by a kill or a full disk. */
  readonly tornTail: boolean;
}

const NEWLINE = 0x0a;

/** Say once per path that its torn last line was skipped (stderr: the command line's reader is a person). */
const toldTorn = new Set<string>();
function sayTorn(path: string): void {
  if (toldTorn.has(path)) return;
  toldTorn.add(path);
  process.stderr.write(`note: ${path} ends in a torn line (a write cut short); it is skipped, and the next append to the file sets it aside\n`);
}

/**
 * Parse a JSONL file: every complete line must be valid (`check`); a torn last line is skipped. Read as
 * bytes and split on newlines, so a file past V8's string limit (~512 MB) reads like any other.
 */
export function readJsonLines<T>(path: string, check: (doc: unknown, where: string) => T): ParsedLines<T> {
  if (!existsSync(path)) return { items: [], tornTail: false };
  if (statSync(path).isDirectory()) throw new ConfigError(`${path} is a directory, expected a runs file (JSON lines)`);
  const bytes = readFileSync(path);
  const items: T[] = [];
  let tornTail = false;
  for (let start = 0, line = 1; start < bytes.length; line++) {
    const nl = bytes.indexOf(NEWLINE, start);
    const end = nl < 0 ? bytes.length : nl;
    const text = bytes.toString('utf8', start, end);
    start = end + 1;
    if (text.trim().length === 0) continue;
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      // an unterminated last line that starts like a record is a torn append; anything else is not ours
      if (nl < 0 && text.trimStart().startsWith('{')) {
        tornTail = true;
        sayTorn(path);
        continue;
      }
      throw new ConfigError(`${path}:${line} is not JSON${nl < 0 ? ' (and not a torn record: is this a runs file?)' : ''}`);
    }
    items.push(check(doc, `${path}:${line}`));
  }
  return { items, tornTail };
}

/** The file's last byte (null when empty), read without loading the file. */
function lastByte(path: string): number | null {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size === 0) return null;
    const b = Buffer.alloc(1);
    readSync(fd, b, 0, 1, size - 1);
    return b[0]!;
  } finally {
    closeSync(fd);
  }
}

/**
 * A file that does not end in a newline: if its last line is the start of a record (a torn append), its
 * bytes go to a side file and the file is cut back to its last whole line (returns the side file); a
 * file whose unterminated last line is not a record's start is not a runs file, and nothing is appended.
 */
function setTornTailAside(path: string): string | null {
  if (!existsSync(path)) return null;
  const last = lastByte(path);
  if (last === NEWLINE || last === null) return null;
  const bytes = readFileSync(path);
  const cut = bytes.lastIndexOf(NEWLINE) + 1;
  const tail = bytes.subarray(cut);
  if (tail.toString('utf8').trim() === '') {
    truncateSync(path, cut);
    return null;
  }
  if (!tail.toString('utf8').trimStart().startsWith('{')) throw new ConfigError(`${path} is not a runs file: its last line does not end in a newline and is not the start of a run record (refusing to append to it)`);
  const side = `${path}.torn-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  writeFileAtomic(side, tail);
  truncateSync(path, cut);
  return side;
}

/**
 * Append `line` unless `isDuplicate` says the file already has its record; under the file's lock.
 * Returns whether it was written. Every complete line of the file must parse (`read` throws otherwise),
 * so a file that is not a runs file is refused before anything is written.
 */
export function appendUnique<T>(path: string, line: string, read: (path: string) => T[], isDuplicate: (existing: T[]) => boolean): boolean {
  if (line.includes('\n')) throw new RangeError('a runs-file line must not contain a newline');
  mkdirSync(dirname(path), { recursive: true });
  return withLock(`${path}.lock`, () => {
    if (isDuplicate(read(path))) return false;
    const side = setTornTailAside(path);
    if (side) process.stderr.write(`note: ${path} ended in a torn line; its bytes were moved to ${side} and the file cut back to its last whole record\n`);
    appendFileSync(path, line + '\n');
    return true;
  });
}
