/**
 * Whole-image labelling, the paper's RQ2 comparison ("regions vs whole images at equal labelled
 * pixels"): the env labels every remaining region of the chosen image (labelUnit 'image'), the
 * budget counted in the same regions. `image-random` picks images uniformly; `image-entropy` the
 * image of highest mean pixel entropy over its unlabelled regions.
 */
import type { Agent } from '../agents/agent.ts';
import { poolShape, randomPerPool } from '../agents/agent.ts';
import type { Rng } from '../core/rng.ts';
import type { ActiveSegInfo, ActiveSegObs } from '../env/active-seg-types.ts';
import { ScoreAgent } from './score-agent.ts';

export class ImageEntropyAgent extends ScoreAgent {
  readonly name = 'image-entropy';
  readonly labelUnit = 'image';
  protected score(_obs: unknown, info: ActiveSegInfo): Float32Array {
    return this.stat(info, 'entropy');
  }
}

export class ImageRandomAgent implements Agent {
  readonly name = 'image-random';
  readonly baseline = true;
  readonly labelUnit = 'image';
  async act(obs: ActiveSegObs, _info: ActiveSegInfo, rng: Rng): Promise<Int32Array> {
    const { K, N } = poolShape(obs);
    return randomPerPool(obs.actionMask, K, N, rng);
  }
}
