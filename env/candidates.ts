/**
 * Candidate pools (docs/method.md §2.2): image-first sampling of K·N unlabelled regions from the pool
 * split, then a random permutation into K pools of N. When fewer than K·N unlabelled regions remain
 * the rest are padding (id −1, action mask 0).
 */
import type { Rng } from '../core/rng.ts';
import type { LabeledRegions } from './regions.ts';

/**
 * Draw up to `m` distinct unlabelled region ids: shuffle-draw images (with ≥ 1 unlabelled region)
 * until their unlabelled regions number more than m, then repeatedly pick one of those images
 * uniformly and pop one of its unlabelled regions uniformly. Returned in draw order.
 */
export function sampleCandidateRegions(labeled: LabeledRegions, m: number, rng: Rng): number[] {
  const g = labeled.grid;
  const order = rng.permutation(labeled.numImages);
  const chosen: { image: number; free: number[] }[] = [];
  let available = 0;
  for (const image of order) {
    if (available > m) break;
    const n = labeled.unlabeledCount(image);
    if (n === 0) continue;
    const taken = labeled.ofImage(image);
    const free: number[] = [];
    for (let r = 0; r < g.perImage; r++) if (!taken.has(r)) free.push(r);
    chosen.push({ image, free });
    available += n;
  }
  const out: number[] = [];
  while (out.length < m && chosen.length > 0) {
    const i = rng.int(chosen.length);
    const c = chosen[i]!;
    const j = rng.int(c.free.length);
    out.push(c.image * g.perImage + c.free[j]!);
    c.free[j] = c.free[c.free.length - 1]!;
    c.free.pop();
    if (c.free.length === 0) {
      chosen[i] = chosen[chosen.length - 1]!;
      chosen.pop();
    }
  }
  return out;
}

/** Up to `m` distinct pool images with an unlabelled region, in a seeded random order (image mode). */
export function sampleCandidateImages(labeled: LabeledRegions, m: number, rng: Rng): number[] {
  return Array.from(rng.permutation(labeled.numImages)).filter((image) => labeled.unlabeledCount(image) > 0).slice(0, m);
}

/**
 * Lay candidates out as K pools × N slots (flat index k·N + n). The candidates are permuted, then
 * dealt round-robin over the pools so that, while there are at least K, every pool has a real one.
 * Empty slots hold −1.
 */
export function arrangePools(candidates: readonly number[], K: number, N: number, rng: Rng): Int32Array {
  const slots = new Int32Array(K * N).fill(-1);
  const perm = rng.permutation(candidates.length);
  for (let i = 0; i < candidates.length && i < K * N; i++) {
    const k = i % K;
    const n = Math.floor(i / K);
    slots[k * N + n] = candidates[perm[i]!]!;
  }
  return slots;
}
