/** A tiny ActiveSegEnv for property tests: 48×32 synthetic images, 2×3 regions of 16×16. */
import { makeSyntheticDataset } from '../env/data/synthetic.ts';
import { ActiveSegEnv } from '../env/active-seg-env.ts';
import type { ActiveSegOptions } from '../env/active-seg-config.ts';
import type { SegDataset } from '../env/data/dataset.ts';

let data: SegDataset | null = null;

export function tinyData(): SegDataset {
  data ??= makeSyntheticDataset({ seed: 11, height: 32, width: 48, counts: { d_t: 4, d_s: 1, d_v: 3, val: 2, test: 2 } });
  return data;
}

export function tinyEnv(overrides: Partial<ActiveSegOptions> = {}): ActiveSegEnv {
  return new ActiveSegEnv({
    data: tinyData(),
    regionHeight: 16,
    regionWidth: 16,
    poolsPerStep: 3,
    poolSize: 3,
    budgetRegions: 10,
    seg: { optimizer: 'sgd', lr: 0.05, momentum: 0.9, weightDecay: 1e-4, clipNorm: 4, batchSize: 4, cropHeight: 16, cropWidth: 16, flip: true },
    inferenceBatch: 4,
    ...overrides,
  });
}

/** Pick a valid action: for each pool the choice-th allowed candidate (mod how many there are). */
export function pickAction(mask: Uint8Array, K: number, N: number, choices: readonly number[]): Int32Array {
  const a = new Int32Array(K);
  for (let k = 0; k < K; k++) {
    const allowed: number[] = [];
    for (let n = 0; n < N; n++) if (mask[k * N + n]) allowed.push(n);
    a[k] = allowed.length ? allowed[(choices[k] ?? 0) % allowed.length]! : 0;
  }
  return a;
}
