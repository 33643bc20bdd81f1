/**
 * Oracle (an upper bound, in the spirit of CDALBench's greedy oracle — Zhan et al. 2021/2022): NOT a
 * deployable agent, it reads the labels. Each step, for a seeded sample of S candidates per pool, it
 * asks the env what labelling that candidate alone would gain (one training step as the env takes
 * it, the reward-set mIoU gain, everything undone exactly: ActiveSegEnv.probe) and picks each pool's
 * best (ties to the lowest index). The chosen step itself is an ordinary env step. Cost: K·S probes
 * per step, each a training step and a reward-set evaluation.
 */
import type { Agent, ProbeTarget } from '../agents/agent.ts';
import { poolShape } from '../agents/agent.ts';
import type { Rng } from '../core/rng.ts';
import { ConfigError } from '../core/errors.ts';
import type { ActiveSegInfo, ActiveSegObs } from '../env/active-seg-types.ts';

export const ORACLE_DEFAULT_SAMPLES = 2;

export function parseSamples(arg: string | undefined): number {
  if (arg === undefined) return ORACLE_DEFAULT_SAMPLES;
  const s = Number(arg);
  if (!Number.isInteger(s) || s < 1) throw new ConfigError(`oracle=S takes a whole number of candidates per pool S ≥ 1, got '${arg}'`);
  return s;
}

export class OracleAgent implements Agent {
  readonly name = 'oracle';
  readonly privileged = true;
  private env: ProbeTarget | null = null;

  constructor(readonly samples: number) {}

  attach(env: ProbeTarget): void {
    this.env = env;
  }

  async act(obs: ActiveSegObs, _info: ActiveSegInfo, rng: Rng): Promise<Int32Array> {
    if (!this.env) throw new ConfigError('the oracle agent probes the env: attach(env) it first (the benchmark runner does)');
    const { K, N } = poolShape(obs);
    const out = new Int32Array(K);
    for (let k = 0; k < K; k++) {
      const allowed: number[] = [];
      for (let n = 0; n < N; n++) if (obs.actionMask[k * N + n]) allowed.push(n);
      if (allowed.length === 0) continue;
      // a seeded sample of S candidates, probed in slot order
      const picks = rng.shuffle([...allowed]).slice(0, this.samples).sort((a, b) => a - b);
      let best = picks[0]!, bestGain = -Infinity;
      for (const n of picks) {
        const gain = await this.env.probe([k * N + n]);
        if (gain > bestGain) [best, bestGain] = [n, gain];
      }
      out[k] = best;
    }
    return out;
  }
}
