/**
 * Base of every scoring baseline (as baal's heuristics): a subclass only says how a candidate is
 * scored; masking, the per-pool argmax (the paper never takes a global top-K) and tie-breaking live here.
 */
import type { Agent } from '../agents/agent.ts';
import { argmaxPerPool, poolShape } from '../agents/agent.ts';
import type { Rng } from '../core/rng.ts';
import { ConfigError } from '../core/errors.ts';
import type { ActiveSegInfo, ActiveSegObs } from '../env/active-seg-types.ts';

export abstract class ScoreAgent implements Agent {
  abstract readonly name: string;
  readonly needs?: readonly string[];
  readonly baseline: boolean = true;

  /** One score per candidate slot [K·N]; higher is picked first. */
  protected abstract score(obs: ActiveSegObs, info: ActiveSegInfo, rng: Rng): ArrayLike<number>;

  /** The statistic `name` of info.candidates, or a ConfigError saying how to get it. */
  protected stat(info: ActiveSegInfo, name: string): Float32Array {
    const v = info.candidates[name];
    if (!v) throw new ConfigError(`the ${this.name} agent needs the '${name}' statistic: make the env with statistics: ['${name}'] (makeEnv(..., { statistics: agent.needs }))`);
    return v;
  }

  async act(obs: ActiveSegObs, info: ActiveSegInfo, rng: Rng): Promise<Int32Array> {
    const { K, N } = poolShape(obs);
    return argmaxPerPool(this.score(obs, info, rng), obs.actionMask, K, N);
  }
}
