/** File writes that never leave a half-written file behind: write a temp file, then rename. */
import { mkdirSync, renameSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { dirname } from 'node:path';

export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/**
 * Append one line to a JSONL file so that a crash never leaves a torn record: the whole new file
 * content is written to a temp file and renamed over the old one.
 */
export function appendLineAtomic(path: string, line: string): void {
  if (line.includes('\n')) throw new RangeError('appendLineAtomic: a line must not contain a newline');
  const old = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const sep = old.length > 0 && !old.endsWith('\n') ? '\n' : '';
  writeFileAtomic(path, old + sep + line + '\n');
}

