/**
 * A cached directory (pre-trained learner weights) with a checksum of its files beside them: a cache
 * whose files were edited, truncated or written by an interrupted save fails the check and is rebuilt,
 * never used as it is (a finite but altered weight file would otherwise give silently wrong runs).
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from './fs.ts';

const CHECKSUM_FILE = 'checksum.json';

/** sha256 over the directory's files (names and bytes, sorted by name), the checksum file excepted. */
function digest(dir: string): string {
  const h = createHash('sha256');
  for (const f of readdirSync(dir).filter((f) => f !== CHECKSUM_FILE && statSync(join(dir, f)).isFile()).sort()) {
    h.update(`${f}\u0000`);
    h.update(readFileSync(join(dir, f)));
  }
  return h.digest('hex');
}

/** Record the checksum of `dir`'s files (after they are all written). */
export function sealDir(dir: string): void {
  writeFileAtomic(join(dir, CHECKSUM_FILE), JSON.stringify({ sha256: digest(dir) }));
}

/** Whether `dir` holds files whose checksum matches the one sealed with them (false without one). */
export function sealedDirIntact(dir: string): boolean {
  const file = join(dir, CHECKSUM_FILE);
  if (!existsSync(file)) return false;
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { sha256?: unknown }).sha256 === digest(dir);
  } catch {
    return false;
  }
}
