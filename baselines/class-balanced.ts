/**
 * Class-balanced acquisition (Cai et al., CVPR 2021, "Revisiting superpixels for active learning in
 * semantic segmentation with realistic annotation costs"): uncertainty u_r = mean over the region of
 * p₂/p₁, down-weighted for regions of classes that dominate the candidates: score = u_r · exp(−π_c(r)),
 * c(r) the region's majority predicted class and π_c the share of this step's candidate regions
 * whose majority class is c.
 */
import { ScoreAgent } from './score-agent.ts';
import type { ActiveSegInfo, ActiveSegObs } from '../env/active-seg-types.ts';

/** Scores of one step's candidates from u and the dominant classes (padding: mask 0, score 0). */
export function classBalancedScores(u: ArrayLike<number>, dominant: ArrayLike<number>, mask: Uint8Array): Float32Array {
  const counts = new Map<number, number>();
  let real = 0;
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i]) continue;
    counts.set(dominant[i]!, (counts.get(dominant[i]!) ?? 0) + 1);
    real++;
  }
  return Float32Array.from(mask, (m, i) => (m ? u[i]! * Math.exp(-(counts.get(dominant[i]!)! / real)) : 0));
}

export class ClassBalancedAgent extends ScoreAgent {
  readonly name = 'class-balanced';
  override readonly needs = ['second-over-first', 'dominant-class'];
  protected score(obs: ActiveSegObs, info: ActiveSegInfo): Float32Array {
    return classBalancedScores(this.stat(info, 'second-over-first'), this.stat(info, 'dominant-class'), obs.actionMask);
  }
}
