/**
 * Power acquisition (Kirsch et al., TMLR 2023, "Stochastic batch acquisition: a simple baseline for
 * deep active learning"): instead of each pool's top score, sample a candidate with probability
 * ∝ score^(1/T) — Gumbel-max on (log score)/T plus Gumbel noise, one seeded draw per allowed
 * candidate. T → 0 recovers the argmax; T = 1 (the default) samples in proportion to the score.
 */
import type { Agent } from '../agents/agent.ts';
import { poolShape } from '../agents/agent.ts';
import type { Rng } from '../core/rng.ts';
import { ConfigError } from '../core/errors.ts';
import type { ActiveSegInfo, ActiveSegObs } from '../env/active-seg-types.ts';

/** Per pool: argmax over allowed n of log(s_n)/T + G_n; a pool whose scores are all 0 picks by G alone (uniformly). */
export function powerSample(scores: ArrayLike<number>, mask: Uint8Array, K: number, N: number, temperature: number, rng: Rng): Int32Array {
  const out = new Int32Array(K);
  for (let k = 0; k < K; k++) {
    let best = -1, bestKey = -Infinity, bestNoise = -1, bestNoiseKey = -Infinity;
    for (let n = 0; n < N; n++) {
      const i = k * N + n;
      if (!mask[i]) continue;
      const g = -Math.log(-Math.log(Math.max(rng.next(), Number.MIN_VALUE)));
      const key = (scores[i]! > 0 ? Math.log(scores[i]!) / temperature : -Infinity) + g;
      if (key > bestKey) [best, bestKey] = [n, key];
      if (bestNoise < 0 || g > bestNoiseKey) [bestNoise, bestNoiseKey] = [n, g];
    }
    out[k] = best >= 0 ? best : Math.max(bestNoise, 0);
  }
  return out;
}

export function parseTemperature(arg: string | undefined): number {
  if (arg === undefined) return 1;
  const t = Number(arg);
  if (!Number.isFinite(t) || t <= 0) throw new ConfigError(`power agents take a temperature T > 0 (power-entropy=0.5), got '${arg}'`);
  return t;
}

export class PowerAgent implements Agent {
  readonly baseline = true;
  readonly needs: readonly string[];
  constructor(
    readonly name: string,
    private readonly statisticName: string,
    readonly temperature: number,
  ) {
    this.needs = [statisticName];
  }

  async act(obs: ActiveSegObs, info: ActiveSegInfo, rng: Rng): Promise<Int32Array> {
    const { K, N } = poolShape(obs);
    const s = info.candidates[this.statisticName];
    if (!s) throw new ConfigError(`the ${this.name} agent needs the '${this.statisticName}' statistic: make the env with statistics: ['${this.statisticName}']`);
    return powerSample(s, obs.actionMask, K, N, this.temperature, rng);
  }
}
