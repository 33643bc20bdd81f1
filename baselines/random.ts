/** Random: one uniform candidate per pool (equivalent to K uniformly random regions). */
import type { Agent } from '../agents/agent.ts';
import { poolShape, randomPerPool } from '../agents/agent.ts';
import type { Rng } from '../core/rng.ts';
import type { ActiveSegInfo, ActiveSegObs } from '../env/active-seg-types.ts';

export class RandomAgent implements Agent {
  readonly name = 'random';
  readonly baseline = true;
  async act(obs: ActiveSegObs, _info: ActiveSegInfo, rng: Rng): Promise<Int32Array> {
    const { K, N } = poolShape(obs);
    return randomPerPool(obs.actionMask, K, N, rng);
  }
}
