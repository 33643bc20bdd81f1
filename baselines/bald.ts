/**
 * BALD (Houlsby et al. 2011; Gal et al. 2017 for MC dropout): the mutual information between a pixel's
 * prediction and the weights, H(mean_t p_t) − mean_t H(p_t) over T dropout passes, averaged over the
 * region (env/scores/bald.ts).
 */
import { ScoreAgent } from './score-agent.ts';
import type { ActiveSegInfo } from '../env/active-seg-types.ts';

export class BaldAgent extends ScoreAgent {
  readonly name = 'bald';
  override readonly needs = ['bald'];
  protected score(_obs: unknown, info: ActiveSegInfo): Float32Array {
    return this.stat(info, 'bald');
  }
}
