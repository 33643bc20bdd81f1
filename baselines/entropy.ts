/**
 * Entropy (H): the candidate whose pixels the model is least sure about, on average — mean per-pixel
 * predictive entropy (natural log) over the region, eval mode (docs/method.md §8; Shannon 1948 as an
 * AL heuristic since Settles 2009).
 */
import { ScoreAgent } from './score-agent.ts';
import type { ActiveSegInfo } from '../env/active-seg-types.ts';

export class EntropyAgent extends ScoreAgent {
  readonly name = 'entropy';
  protected score(_obs: unknown, info: ActiveSegInfo): Float32Array {
    return this.stat(info, 'entropy');
  }
}
