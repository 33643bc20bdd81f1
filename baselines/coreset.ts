/**
 * Core-set (Sener & Savarese, ICLR 2018, "Active learning for convolutional neural networks: a
 * core-set approach"): k-center greedy in the learner's feature space. A region's embedding is the
 * mean over the region of the features entering the learner's last linear layer
 * (env/scores/region-embedding.ts). Pool by pool, pick the allowed candidate farthest (L2) from
 * the labelled regions and the step's earlier picks; with nothing labelled yet, the first pick is the
 * pool's first allowed candidate.
 */
import type { Agent } from '../agents/agent.ts';
import { poolShape } from '../agents/agent.ts';
import type { ActiveSegInfo, ActiveSegObs } from '../env/active-seg-types.ts';
import { ConfigError } from '../core/errors.ts';

function dist2(a: Float32Array, ao: number, b: Float32Array, bo: number, E: number): number {
  let d = 0;
  for (let e = 0; e < E; e++) {
    const x = a[ao + e]! - b[bo + e]!;
    d += x * x;
  }
  return d;
}

/** k-center greedy, one pick per pool: candidates [K·N·E], labelled [L·E]. */
export function kCenterGreedy(cand: Float32Array, labeled: Float32Array, E: number, mask: Uint8Array, K: number, N: number): Int32Array {
  const R = K * N;
  const L = E > 0 ? labeled.length / E : 0;
  const dmin = new Float64Array(R).fill(Infinity);
  for (let i = 0; i < R; i++) if (mask[i]) for (let l = 0; l < L; l++) dmin[i] = Math.min(dmin[i]!, dist2(cand, i * E, labeled, l * E, E));
  const out = new Int32Array(K);
  for (let k = 0; k < K; k++) {
    let best = -1;
    for (let n = 0; n < N; n++) if (mask[k * N + n] && (best < 0 || dmin[k * N + n]! > dmin[k * N + best]!)) best = n;
    out[k] = Math.max(best, 0);
    if (best < 0) continue;
    const p = k * N + best;
    for (let i = 0; i < R; i++) if (mask[i]) dmin[i] = Math.min(dmin[i]!, dist2(cand, i * E, cand, p * E, E));
  }
  return out;
}

export class CoresetAgent implements Agent {
  readonly name = 'coreset';
  readonly baseline = true;
  readonly needs = ['region-embedding'];
  async act(obs: ActiveSegObs, info: ActiveSegInfo): Promise<Int32Array> {
    const { K, N } = poolShape(obs);
    const cand = info.candidates['region-embedding'];
    if (!cand) throw new ConfigError("the coreset agent needs the 'region-embedding' statistic: make the env with statistics: ['region-embedding']");
    const E = info.candidateWidths['region-embedding'] ?? 0;
    return kCenterGreedy(cand, info.labeledStatistics['region-embedding'] ?? new Float32Array(0), E, obs.actionMask, K, N);
  }
}
