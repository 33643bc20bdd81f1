/**
 * Building one observation: the region features of the state and candidate images (docs/method.md §3–4,
 * docs/method.md), the scores the agents asked for (env/scores), then candidates gathered
 * into K×N pools. Per batch of images the learner is asked once per kind of output: a fused native
 * pass when it offers one and nothing needs the probabilities themselves, else the probabilities.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../core/rng.ts';
import type { SegSample } from './data/dataset.ts';
import type { SegLearner } from './learners/learner.ts';
import { actionFeatureSize, candidateFeatures, regionFeatures } from './features.ts';
import type { RegionGrid } from './regions.ts';
import { regionFeaturesReduction } from './region-features-graph.ts';
import type { EmbeddingScore, FeatureScore, McScore, ProbabilityScore, RegionScore, ScoreContext } from './scores/score.ts';
import type { ActiveSegObs } from './active-seg-types.ts';

/** Region feature rows [n, F_s] and the wanted scores [n, width] by name, n = images · perImage. */
export interface RegionOutputs {
  readonly rows: tf.Tensor2D;
  readonly stats: Map<string, tf.Tensor2D>;
}

export interface McOptions {
  readonly passes: number;
  readonly rng: Rng;
}

export function disposeOutputs(o: RegionOutputs): void {
  tf.dispose([o.rows, ...o.stats.values()]);
}

/** Rows and the region's mean entropy of one batch: natively fused when possible, else from probabilities. */
async function regionFeatureSet(learner: SegLearner, part: readonly SegSample[], g: RegionGrid, probsWanted: boolean): Promise<{ rows: tf.Tensor2D; meanEntropy: tf.Tensor1D; probs: tf.Tensor4D | null }> {
  if (!probsWanted && learner.reduceProbabilities) {
    const native = await learner.reduceProbabilities(part, regionFeaturesReduction(g, learner.numClasses));
    if (native) {
      const n = part.length * g.perImage;
      return { rows: tf.tensor2d(native.features!, [n, native.features!.length / n]), meanEntropy: tf.tensor1d(native.meanEntropy!), probs: null };
    }
  }
  const probs = await learner.probabilities(part);
  const rf = regionFeatures(probs, g);
  return { rows: rf.features, meanEntropy: rf.meanEntropy, probs: probsWanted ? probs : (probs.dispose(), null) };
}

/**
 * Region features and `wanted` scores of every region of `images`, `batch` images at a time.
 * MC scores draw their dropout seeds from `mc.rng`, batch by batch. Caller owns the result.
 */
export async function regionOutputs(learner: SegLearner, images: readonly SegSample[], g: RegionGrid, batch: number, wanted: readonly RegionScore[], mc: McOptions | null): Promise<RegionOutputs> {
  const ctx: ScoreContext = { grid: g, numClasses: learner.numClasses };
  const fromFeatures = wanted.filter((s): s is FeatureScore => s.source === 'features');
  const fromProbs = wanted.filter((s): s is ProbabilityScore => s.source === 'probabilities');
  const fromMc = wanted.filter((s): s is McScore => s.source === 'mc');
  const fromEmbeddings = wanted.filter((s): s is EmbeddingScore => s.source === 'embeddings');
  if (fromMc.length > 0 && !mc) throw new RangeError(`scores ${fromMc.map((s) => s.name).join(', ')} need MC-dropout passes`);
  const rows: tf.Tensor2D[] = [];
  const parts = new Map<string, tf.Tensor2D[]>(wanted.map((s) => [s.name, []]));
  const keep = (name: string, t: tf.Tensor2D) => parts.get(name)!.push(t);
  for (let i = 0; i < images.length; i += batch) {
    const part = images.slice(i, i + batch);
    const f = await regionFeatureSet(learner, part, g, fromProbs.length > 0);
    rows.push(f.rows);
    for (const s of fromFeatures) keep(s.name, tf.tidy(() => s.compute({ rows: f.rows, meanEntropy: f.meanEntropy }, ctx)));
    f.meanEntropy.dispose();
    if (f.probs) {
      for (const s of fromProbs) keep(s.name, tf.tidy(() => s.compute(f.probs!, ctx)));
      f.probs.dispose();
    }
    if (fromMc.length > 0) {
      const m = await learner.mcMoments(part, mc!.passes, mc!.rng);
      for (const s of fromMc) keep(s.name, tf.tidy(() => s.compute(m, ctx)));
      tf.dispose([m.meanProbs, m.meanEntropy]);
    }
    if (fromEmbeddings.length > 0) {
      const e = await learner.embeddings(part);
      for (const s of fromEmbeddings) keep(s.name, tf.tidy(() => s.compute(e, ctx)));
      tf.dispose([e.features, e.probs]);
    }
  }
  const cat = (ts: tf.Tensor2D[]): tf.Tensor2D => {
    if (ts.length === 1) return ts[0]!;
    const out = tf.concat(ts) as tf.Tensor2D;
    tf.dispose(ts);
    return out;
  };
  return { rows: cat(rows), stats: new Map([...parts].map(([name, ts]) => [name, cat(ts)])) };
}

/** State features [R_S, F_s] of the state set. */
export async function stateFeatures(learner: SegLearner, stateImages: readonly SegSample[], g: RegionGrid, batch: number): Promise<tf.Tensor2D> {
  return (await regionOutputs(learner, stateImages, g, batch, [], null)).rows;
}

/** Distinct images of region ids (in first-seen order) and each id's row among those images' regions. */
export function imagesOf(ids: readonly number[], g: RegionGrid): { images: number[]; rowOf: (id: number) => number } {
  const pos = new Map<number, number>();
  for (const id of ids) {
    const image = Math.floor(id / g.perImage);
    if (!pos.has(image)) pos.set(image, pos.size);
  }
  return { images: [...pos.keys()], rowOf: (id) => pos.get(Math.floor(id / g.perImage))! * g.perImage + (id % g.perImage) };
}

/**
 * What pooling candidates needs besides the slots: the learner and pool images, the K×N layout, the
 * ground-truth class distributions labelled so far (`labeledDist` [L, C+1], null before any), the
 * inference batch, the scores the agents asked for and the MC-dropout draws (null when none need them).
 */
export interface PoolQuery {
  readonly learner: SegLearner;
  readonly poolImages: readonly SegSample[];
  readonly K: number;
  readonly N: number;
  readonly grid: RegionGrid;
  readonly labeledDist: tf.Tensor2D | null;
  readonly batch: number;
  readonly wanted: readonly RegionScore[];
  readonly mc: McOptions | null;
}

/** Each wanted score by name, laid out by slot: [K·N·width] values, 0 at padding. */
export type SlotScores = Map<string, { values: Float32Array; width: number }>;

export interface PooledFeatures {
  readonly pools: tf.Tensor3D;
  readonly stats: SlotScores;
}

/**
 * Pool tensor [K, N, D] and per-slot scores [K·N·width] (0 at padding) for candidate slots
 * (region ids, −1 = padding) of the query's pool images.
 */
export async function poolFeatures(q: PoolQuery, slots: Int32Array): Promise<PooledFeatures> {
  const { learner, poolImages, K, N, grid: g, labeledDist, batch, wanted, mc } = q;
  const C = learner.numClasses;
  const D = actionFeatureSize(C);
  const real = Array.from(slots).filter((id) => id >= 0);
  if (real.length === 0) {
    // nothing left to label: zeros of the widths the scores would have had
    const widthOf = (s: RegionScore) => (s.source === 'embeddings' ? 0 : s.width({ grid: g, numClasses: C }));
    return { pools: tf.zeros([K, N, D]), stats: new Map(wanted.map((s) => [s.name, { values: new Float32Array(K * N * widthOf(s)), width: widthOf(s) }])) };
  }
  const { images, rowOf } = imagesOf(real, g);
  const out = await regionOutputs(learner, images.map((i) => poolImages[i]!), g, batch, wanted, mc);
  const realRows = tf.tensor1d(real.map(rowOf), 'int32');
  // slot → row in [candidates; zero row]; padding points at the zero row R
  const slotRows = new Int32Array(K * N);
  let next = 0;
  for (let i = 0; i < slots.length; i++) slotRows[i] = slots[i]! >= 0 ? next++ : real.length;
  const slotIdx = tf.tensor1d(slotRows, 'int32');
  const bySlot = (v: tf.Tensor2D) => tf.tidy(() => tf.gather(tf.concat([tf.gather(v, realRows), tf.zeros([1, v.shape[1]])]), slotIdx));
  const pools = tf.tidy(() => {
    const cand = candidateFeatures(tf.gather(out.rows, realRows) as tf.Tensor2D, C, labeledDist);
    return tf.reshape(tf.gather(tf.concat([cand, tf.zeros([1, D])]), slotIdx), [K, N, D]) as tf.Tensor3D;
  });
  const stats = statsBySlot(out, bySlot);
  tf.dispose([realRows, slotIdx]);
  disposeOutputs(out);
  return { pools, stats };
}

/**
 * Image-level candidates (label every remaining region of an image at once): pool tensor [K, N, D]
 * and scores per slot, each the mean over the image's unlabelled regions. `imageSlots` holds
 * pool-image indices (−1 = padding); `unlabeled(image)` its unlabelled region indices.
 */
export async function imagePoolFeatures(q: PoolQuery, imageSlots: Int32Array, unlabeled: (image: number) => number[]): Promise<PooledFeatures> {
  const { learner, poolImages, K, N, grid: g, labeledDist, batch, wanted, mc } = q;
  const C = learner.numClasses;
  const D = actionFeatureSize(C);
  const real = Array.from(imageSlots).filter((i) => i >= 0);
  if (real.length === 0) return poolFeatures(q, imageSlots);
  const out = await regionOutputs(learner, real.map((i) => poolImages[i]!), g, batch, wanted, mc);
  // averaging matrix [real, real·perImage]: 1/|free| on each image's unlabelled regions
  const avg = new Float32Array(real.length * real.length * g.perImage);
  real.forEach((image, r) => {
    const free = unlabeled(image);
    for (const region of free) avg[r * real.length * g.perImage + r * g.perImage + region] = 1 / free.length;
  });
  const slotRows = new Int32Array(K * N);
  let next = 0;
  for (let i = 0; i < imageSlots.length; i++) slotRows[i] = imageSlots[i]! >= 0 ? next++ : real.length;
  const A = tf.tensor2d(avg, [real.length, real.length * g.perImage]);
  const slotIdx = tf.tensor1d(slotRows, 'int32');
  const bySlot = (v: tf.Tensor2D) => tf.tidy(() => tf.gather(tf.concat([tf.matMul(A, v), tf.zeros([1, v.shape[1]])]), slotIdx));
  const pools = tf.tidy(() => {
    const cand = candidateFeatures(tf.matMul(A, out.rows), C, labeledDist);
    return tf.reshape(tf.gather(tf.concat([cand, tf.zeros([1, D])]), slotIdx), [K, N, D]) as tf.Tensor3D;
  });
  const stats = statsBySlot(out, bySlot);
  tf.dispose([A, slotIdx]);
  disposeOutputs(out);
  return { pools, stats };
}

/** Each score's rows laid out by slot (`bySlot`: rows → [K·N, width], padding zero), read back to JS. */
function statsBySlot(out: RegionOutputs, bySlot: (v: tf.Tensor2D) => tf.Tensor): SlotScores {
  const stats: SlotScores = new Map();
  for (const [name, v] of out.stats) {
    const t = bySlot(v);
    stats.set(name, { values: t.dataSync() as Float32Array, width: v.shape[1] });
    t.dispose();
  }
  return stats;
}

/** Mask from slots: 1 where a real candidate sits. */
export function maskOf(slots: Int32Array): Uint8Array {
  return Uint8Array.from(slots, (id) => (id >= 0 ? 1 : 0));
}

export type { ActiveSegObs };
