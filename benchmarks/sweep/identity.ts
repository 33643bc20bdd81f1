/**
 * Run identity by content, not by name: a trajectory (protocol × agent × seed, covering its budgets)
 * is identified by the protocol's content hash, the agent's identity (its name and argument; a
 * policy's = the hash of its weights and config) and the seed, plus the code version, so resume,
 * caches and the leaderboard never confuse two runs that share a name.
 */
import { createRequire } from 'node:module';
import { shortHash } from '../../env/protocol/hash.ts';

const require = createRequire(import.meta.url);
/** The code version in every id: the package version (a release that changes numbers bumps it). */
export const CODE_VERSION: string = (require('../../package.json') as { version: string }).version;

/** Stable id of one trajectory (`version`: the code version that ran it, this one's by default). */
export function trajectoryId(protocolHash: string, agent: string, seed: number, version: string = CODE_VERSION): string {
  return shortHash(`${protocolHash}|${agent}|${seed}|${version}`, 12);
}
