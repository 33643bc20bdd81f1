/**
 * Margin: the region whose pixels sit closest to a tie between the two likeliest classes — mean over
 * the region of 1 − (p₁ − p₂) (env/scores/margin.ts). PixelPick (Shin et al., ICCV 2021) scores
 * pixels this way; baal's `Margin` heuristic is the same score.
 */
import { ScoreAgent } from './score-agent.ts';
import type { ActiveSegInfo } from '../env/active-seg-types.ts';

export class MarginAgent extends ScoreAgent {
  readonly name = 'margin';
  override readonly needs = ['margin'];
  protected score(_obs: unknown, info: ActiveSegInfo): Float32Array {
    return this.stat(info, 'margin');
  }
}
