/** Where learner caches (encoder features, pre-trained weights) live unless a command is told otherwise. */
import { resolve } from 'node:path';

/** $REGIONGYM_CACHE, else .cache/ in the working directory. */
export function defaultCacheDir(): string {
  return resolve(process.env.REGIONGYM_CACHE ?? '.cache');
}
