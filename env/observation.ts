/**
 * Building one observation: forward the state and candidate images once (trunk shared with BALD's
 * MC-dropout passes), region features on the backend (or, on the native engine without BALD, the
 * whole pass natively), then candidates gathered into K×N pools.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from './core/rng.ts';
import type { SegSample } from './data/dataset.ts';
import type { Segmenter } from './learners/unet/learner.ts';
import { head } from './learners/unet/net.ts';
import { actionFeatureSize, candidateFeatures, regionFeatures, regionMeans } from './features.ts';
import type { RegionGrid } from './regions.ts';
import { mcDropoutBaldOnEngine } from './uncertainty.ts';
import { activeOrt } from '../compute/inference.ts';
import type { ActiveSegObs, CandidateStats } from './active-seg-types.ts';

interface ImageRegionStats {
  features: tf.Tensor2D;
  meanEntropy: tf.Tensor1D;
  bald: tf.Tensor1D | null;
}

/** Region features (and optionally BALD) of every region of `images`, in batches. Caller owns the result. */
export async function imageRegionStats(model: Segmenter, images: readonly SegSample[], g: RegionGrid, batch: number, bald: { passes: number; rng: Rng } | null): Promise<ImageRegionStats> {
  const parts: ImageRegionStats[] = [];
  const native = activeOrt();
  for (let i = 0; i < images.length; i += batch) {
    if (native && !bald) {
      // the whole computation runs natively; only the per-region rows come back
      const part = images.slice(i, i + batch);
      const s = await native.regionStats(model, model.pixels(part), part.length, g);
      const n = part.length * g.perImage;
      parts.push({ features: tf.tensor2d(s.features, [n, s.features.length / n]), meanEntropy: tf.tensor1d(s.meanEntropy), bald: null });
      continue;
    }
    const f = await model.trunkFeatures(images.slice(i, i + batch));
    const baldMap = bald ? await mcDropoutBaldOnEngine(model, f, bald.passes, bald.rng) : null;
    const [features, meanEntropy, b] = tf.tidy(() => {
      const rf = regionFeatures(tf.softmax(head(model.params, f)) as tf.Tensor4D, g);
      return [rf.features, rf.meanEntropy, ...(baldMap ? [regionMeans(baldMap, g)] : [])];
    }) as tf.Tensor[];
    tf.dispose([f, ...(baldMap ? [baldMap] : [])]);
    parts.push({ features: features as tf.Tensor2D, meanEntropy: meanEntropy as tf.Tensor1D, bald: (b as tf.Tensor1D | undefined) ?? null });
  }
  const cat = <T extends tf.Tensor>(ts: T[]): T => (ts.length === 1 ? ts[0]! : (tf.concat(ts) as T));
  const out = {
    features: cat(parts.map((p) => p.features)),
    meanEntropy: cat(parts.map((p) => p.meanEntropy)),
    bald: bald ? cat(parts.map((p) => p.bald!)) : null,
  };
  if (parts.length > 1) for (const p of parts) tf.dispose([p.features, p.meanEntropy, ...(p.bald ? [p.bald] : [])]);
  return out;
}

/** State features [R_S, F_s] of the state set. */
export async function stateFeatures(model: Segmenter, stateImages: readonly SegSample[], g: RegionGrid, batch: number): Promise<tf.Tensor2D> {
  const s = await imageRegionStats(model, stateImages, g, batch, null);
  s.meanEntropy.dispose();
  return s.features;
}

/**
 * Pool tensor [K, N, D] and per-slot statistics for candidate slots (region ids, −1 = padding) of
 * `poolImages`. `labeledDist` [L, C+1] are the ground-truth class distributions labelled so far.
 */
export async function poolFeatures(
  model: Segmenter,
  poolImages: readonly SegSample[],
  slots: Int32Array,
  K: number,
  N: number,
  g: RegionGrid,
  labeledDist: tf.Tensor2D | null,
  batch: number,
  bald: { passes: number; rng: Rng } | null,
): Promise<{ pools: tf.Tensor3D; stats: CandidateStats }> {
  const C = model.numClasses;
  const D = actionFeatureSize(C);
  const real = Array.from(slots).filter((id) => id >= 0);
  if (real.length === 0) {
    return { pools: tf.zeros([K, N, D]), stats: { meanEntropy: new Float32Array(K * N), bald: bald ? new Float32Array(K * N) : null } };
  }
  // distinct candidate images, and each real candidate's row among their regions
  const imagePos = new Map<number, number>();
  for (const id of real) {
    const image = Math.floor(id / g.perImage);
    if (!imagePos.has(image)) imagePos.set(image, imagePos.size);
  }
  const images = [...imagePos.keys()].map((i) => poolImages[i]!);
  const rowOf = (id: number) => imagePos.get(Math.floor(id / g.perImage))! * g.perImage + (id % g.perImage);
  const stats = await imageRegionStats(model, images, g, batch, bald);
  const R = real.length;
  const realRows = tf.tensor1d(real.map(rowOf), 'int32');
  // slot → row in [candidates; zero row]; padding points at the zero row R
  const slotRows = new Int32Array(K * N);
  let next = 0;
  for (let i = 0; i < slots.length; i++) slotRows[i] = slots[i]! >= 0 ? next++ : R;
  const slotIdx = tf.tensor1d(slotRows, 'int32');
  const [pools, ent, bal] = tf.tidy(() => {
    const cand = candidateFeatures(tf.gather(stats.features, realRows) as tf.Tensor2D, C, labeledDist);
    const withPad = tf.concat([cand, tf.zeros([1, D])]);
    const pad1 = (v: tf.Tensor1D) => tf.gather(tf.concat([tf.gather(v, realRows), tf.zeros([1])]), slotIdx);
    return [tf.reshape(tf.gather(withPad, slotIdx), [K, N, D]), pad1(stats.meanEntropy), ...(stats.bald ? [pad1(stats.bald)] : [])];
  }) as [tf.Tensor3D, tf.Tensor1D, tf.Tensor1D?];
  const out = { pools, stats: { meanEntropy: ent.dataSync() as Float32Array, bald: bal ? (bal.dataSync() as Float32Array) : null } };
  tf.dispose([realRows, slotIdx, ent, stats.features, stats.meanEntropy, ...(bal ? [bal] : []), ...(stats.bald ? [stats.bald] : [])]);
  return out;
}

/** Mask from slots: 1 where a real candidate sits. */
export function maskOf(slots: Int32Array): Uint8Array {
  return Uint8Array.from(slots, (id) => (id >= 0 ? 1 : 0));
}

export type { ActiveSegObs };
