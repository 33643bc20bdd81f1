/**
 * Base of every scoring baseline (as baal's heuristics): a subclass only says how a candidate is
 * scored; masking, the per-pool argmax (the paper never takes a global top-K) and tie-breaking live here.
 */
import type { Agent, AgentNeeds } from '../agent.ts';
import { argmaxPerPool, poolShape } from '../agent.ts';
import type { Rng } from '../../env/core/rng.ts';
import type { ActiveSegInfo, ActiveSegObs } from '../../env/active-seg-types.ts';

export abstract class ScoreAgent implements Agent {
  abstract readonly name: string;
  readonly needs?: AgentNeeds;

  /** One score per candidate slot [K·N]; higher is picked first. */
  protected abstract score(obs: ActiveSegObs, info: ActiveSegInfo, rng: Rng): ArrayLike<number>;

  async act(obs: ActiveSegObs, info: ActiveSegInfo, rng: Rng): Promise<Int32Array> {
    const { K, N } = poolShape(obs);
    return argmaxPerPool(this.score(obs, info, rng), obs.actionMask, K, N);
  }
}
