/**
 * The Agent contract. Agents see only what the env emits (observation and info) — never the data set
 * or the segmentation model — which is what makes them interchangeable and the comparison fair.
 *
 * Tensor ownership: the observation's tensors belong to the env and are disposed by its next step;
 * a learning agent copies what it needs during `act` (see DqnAgent).
 */
import type { Rng } from '../core/rng.ts';
import type { ActiveSegInfo, ActiveSegObs } from '../env/active-seg-types.ts';

/** What a learning agent learns from, given right after each `env.step`. */
export interface Transition {
  /** The action `act` returned for the previous observation. */
  readonly action: Int32Array;
  readonly reward: number;
  /** The observation after the step (valid until the next step). */
  readonly nextObs: ActiveSegObs;
  readonly nextInfo: ActiveSegInfo;
  readonly terminated: boolean;
  readonly truncated: boolean;
}

/** What a privileged agent may ask of the env: the reward of labelling some candidates, undone exactly. */
export interface ProbeTarget {
  probe(slots: readonly number[]): Promise<number>;
}

export interface Agent {
  readonly name: string;
  /**
   * Per-candidate scores the env must compute for this agent (env/scores, by name), delivered
   * in info.candidates; `entropy` always comes.
   */
  readonly needs?: readonly string[];
  /** A non-learning acquisition function the leaderboard compares learned agents against. */
  readonly baseline?: boolean;
  /** Reads what a deployed agent cannot (the labels): an upper bound, never a contender. */
  readonly privileged?: boolean;
  /** Label whole images instead of regions (env option `labelUnit`). */
  readonly labelUnit?: 'region' | 'image';
  /** Privileged agents only: given the env to probe candidate rewards (ActiveSegEnv.probe). */
  attach?(env: ProbeTarget): void;
  /**
   * One candidate index in [0, N) per pool; must respect obs.actionMask. Outside training it must be a
   * function of (obs, info, the state of `rng`) alone, never of the agent's own earlier calls: the
   * bench replays a trajectory's logged actions instead of asking again (benchmarks/sweep/runner/action-log.ts).
   */
  act(obs: ActiveSegObs, info: ActiveSegInfo, rng: Rng): Promise<Int32Array>;
  /** Learning agents: called after every step of a training episode. */
  observe?(t: Transition): Promise<void>;
  /** Start of an episode (learning agents reset per-episode counters). */
  beginEpisode?(): void;
  save?(dir: string): Promise<void>;
  /** Free tensors the agent owns. */
  dispose?(): void;
}

/**
 * Per-pool argmax of candidate scores over allowed candidates (flat [K·N] scores and mask). Ties go
 * to the lowest index; a pool with no allowed candidate gets 0 (its action is ignored by the env).
 */
export function argmaxPerPool(scores: ArrayLike<number>, mask: Uint8Array, K: number, N: number): Int32Array {
  const out = new Int32Array(K);
  for (let k = 0; k < K; k++) {
    let best = -1;
    let bestScore = -Infinity;
    for (let n = 0; n < N; n++) {
      const i = k * N + n;
      if (!mask[i]) continue;
      const s = scores[i]!;
      if (best < 0 || s > bestScore) {
        best = n;
        bestScore = s;
      }
    }
    out[k] = Math.max(best, 0);
  }
  return out;
}

/** Uniform choice among allowed candidates in each pool. */
export function randomPerPool(mask: Uint8Array, K: number, N: number, rng: Rng): Int32Array {
  const out = new Int32Array(K);
  for (let k = 0; k < K; k++) {
    const allowed: number[] = [];
    for (let n = 0; n < N; n++) if (mask[k * N + n]) allowed.push(n);
    out[k] = allowed.length ? allowed[rng.int(allowed.length)]! : 0;
  }
  return out;
}

/** Pools K and pool size N of an observation. */
export function poolShape(obs: ActiveSegObs): { K: number; N: number } {
  return { K: obs.pools.shape[0], N: obs.pools.shape[1] };
}
