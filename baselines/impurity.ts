/**
 * Region impurity × prediction uncertainty, RIPU (Xie et al., CVPR 2022, "Towards fewer annotations:
 * active learning via region impurity and prediction uncertainty for domain adaptive semantic
 * segmentation"): prefers regions where the predicted classes are mixed and uncertain
 * (env/scores/impurity.ts, window k = 1).
 */
import { ScoreAgent } from './score-agent.ts';
import type { ActiveSegInfo } from '../env/active-seg-types.ts';

export class ImpurityAgent extends ScoreAgent {
  readonly name = 'impurity';
  override readonly needs = ['impurity'];
  protected score(_obs: unknown, info: ActiveSegInfo): Float32Array {
    return this.stat(info, 'impurity');
  }
}
