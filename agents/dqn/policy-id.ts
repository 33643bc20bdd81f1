/** A policy's identity: the hash of its saved files, so two policies never share run records. */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../core/errors.ts';

export function policyId(dir: string): string {
  const h = createHash('sha256');
  for (const f of ['model.json', 'weights.bin']) {
    const p = join(dir, f);
    if (!existsSync(p) || !statSync(p).isFile()) throw new ConfigError(`dqn=${dir}: ${p} is missing (expected a policy written by 'regiongym train-policy', e.g. <out>/policy)`);
    h.update(f).update(readFileSync(p));
  }
  return `dqn@${h.digest('hex').slice(0, 12)}`;
}
