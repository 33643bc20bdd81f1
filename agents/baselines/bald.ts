/**
 * BALD (Houlsby et al. 2011; Gal et al. 2017 for MC dropout): the mutual information between a pixel's
 * prediction and the weights, H(mean_t p_t) − mean_t H(p_t) over T dropout passes, averaged over the
 * region. The env computes it (the trunk runs once, the dropout head T times) when `needs.bald` is set.
 */
import { ScoreAgent } from './score-agent.ts';
import { ConfigError } from '../../env/core/errors.ts';
import type { ActiveSegInfo } from '../../env/active-seg-types.ts';

export class BaldAgent extends ScoreAgent {
  readonly name = 'bald';
  override readonly needs = { bald: true };
  protected score(_obs: unknown, info: ActiveSegInfo): Float32Array {
    if (!info.candidates.bald) throw new ConfigError('the bald agent needs an env with baldPasses > 0 (makeEnv(..., { bald: true }))');
    return info.candidates.bald;
  }
}
