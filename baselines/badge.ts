/**
 * BADGE (Ash et al., ICLR 2020, "Deep batch active learning by diverse, uncertain gradient lower
 * bounds"): k-means++ seeding on gradient embeddings — the gradient of the loss at the predicted
 * label with respect to the last linear layer, averaged over the region's cells
 * (env/scores/gradient-embedding.ts). Across pools in order: the first pick is the largest
 * embedding norm (as BADGE's code starts), each next pool samples with probability ∝ the squared
 * distance to the nearest earlier pick (seeded; uniform when all distances are 0).
 */
import type { Agent } from '../agents/agent.ts';
import { poolShape } from '../agents/agent.ts';
import type { Rng } from '../core/rng.ts';
import type { ActiveSegInfo, ActiveSegObs } from '../env/active-seg-types.ts';
import { ConfigError } from '../core/errors.ts';

export function kmeansPlusPlusPerPool(g: Float32Array, E: number, mask: Uint8Array, K: number, N: number, rng: Rng): Int32Array {
  const R = K * N;
  const d2 = new Float64Array(R).fill(Infinity);
  const out = new Int32Array(K);
  let picked = false;
  const update = (p: number) => {
    for (let i = 0; i < R; i++) {
      if (!mask[i]) continue;
      let d = 0;
      for (let e = 0; e < E; e++) {
        const x = g[i * E + e]! - g[p * E + e]!;
        d += x * x;
      }
      d2[i] = Math.min(d2[i]!, d);
    }
  };
  for (let k = 0; k < K; k++) {
    const allowed: number[] = [];
    for (let n = 0; n < N; n++) if (mask[k * N + n]) allowed.push(n);
    if (allowed.length === 0) continue;
    let choice: number;
    if (!picked) {
      const norm = (n: number) => { let s = 0; for (let e = 0; e < E; e++) s += g[(k * N + n) * E + e]! ** 2; return s; };
      choice = allowed.reduce((b, n) => (norm(n) > norm(b) ? n : b), allowed[0]!);
    } else {
      const w = allowed.map((n) => d2[k * N + n]!);
      const total = w.reduce((a, b) => a + b, 0);
      if (!(total > 0)) choice = allowed[rng.int(allowed.length)]!;
      else {
        let u = rng.next() * total;
        choice = allowed[allowed.length - 1]!;
        for (let j = 0; j < allowed.length; j++) if ((u -= w[j]!) < 0) { choice = allowed[j]!; break; }
      }
    }
    out[k] = choice;
    picked = true;
    update(k * N + choice);
  }
  return out;
}

export class BadgeAgent implements Agent {
  readonly name = 'badge';
  readonly baseline = true;
  readonly needs = ['gradient-embedding'];
  async act(obs: ActiveSegObs, info: ActiveSegInfo, rng: Rng): Promise<Int32Array> {
    const { K, N } = poolShape(obs);
    const g = info.candidates['gradient-embedding'];
    if (!g) throw new ConfigError("the badge agent needs the 'gradient-embedding' statistic: make the env with statistics: ['gradient-embedding']");
    return kmeansPlusPlusPerPool(g, info.candidateWidths['gradient-embedding']!, obs.actionMask, K, N, rng);
  }
}
