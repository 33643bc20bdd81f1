/**
 * State and action features (docs/method.md §3–4), computed on the backend with tensor ops.
 *
 * Per region: [predicted-class pixel counts (C+1, zeros → 1e-7) | entropy pooled to 8×8 by min (64) |
 * mean (64) | max (64)]. Candidates add a 32-bin histogram of KL(p ‖ q_L) to the ground-truth class
 * distributions of the regions labelled so far, and one of KL(p ‖ p_k) to all candidates of the step.
 * Pooling kernels are (⌊h/8⌋, ⌊w/8⌋) over the region's first 8·⌊h/8⌋ rows and 8·⌊w/8⌋ columns, as the
 * paper's floor-mode pooling does.
 */
import * as tf from '@tensorflow/tfjs';
import type { RegionGrid } from './regions.ts';

export const KL_BINS = 32;
export const POOL_GRID = 8;

/** Length of a state-region feature row for C classes. */
export function stateFeatureSize(numClasses: number): number {
  return numClasses + 1 + 3 * POOL_GRID * POOL_GRID;
}

/** Length of a candidate feature row: the state features plus both KL histograms. */
export function actionFeatureSize(numClasses: number): number {
  return stateFeatureSize(numClasses) + 2 * KL_BINS;
}

/** Per-pixel entropy (natural log) of probabilities [B, H, W, C] → [B, H, W]. */
export function pixelEntropy(probs: tf.Tensor4D): tf.Tensor3D {
  return tf.tidy(() => tf.neg(tf.sum(tf.mul(probs, tf.log(tf.maximum(probs, 1e-30))), -1)) as tf.Tensor3D);
}

/** Split a per-pixel map [B, H, W] into regions [B·perImage, h, w] in region-id order (x-major). */
export function toRegions(map: tf.Tensor3D, g: RegionGrid): tf.Tensor3D {
  return tf.tidy(() => {
    const B = map.shape[0];
    const r = tf.reshape(map, [B, g.rows, g.regionH, g.cols, g.regionW]);
    return tf.reshape(tf.transpose(r, [0, 3, 1, 2, 4]), [B * g.perImage, g.regionH, g.regionW]) as tf.Tensor3D;
  });
}

export interface RegionFeatures {
  /** [B·perImage, stateFeatureSize] */
  features: tf.Tensor2D;
  /** Mean pixel entropy per region [B·perImage] (the entropy baseline's score). */
  meanEntropy: tf.Tensor1D;
}

/** Features of every region of every image, from softmax probabilities [B, H, W, C]. */
export function regionFeatures(probs: tf.Tensor4D, g: RegionGrid): RegionFeatures {
  return tf.tidy(() => {
    const [B, , , C] = probs.shape;
    const n = B * g.perImage;
    // predicted-class counts per region
    const onehot = tf.cast(tf.oneHot(tf.argMax(probs, 3) as tf.Tensor3D, C + 1), 'float32');
    const counts6 = tf.reshape(onehot, [B, g.rows, g.regionH, g.cols, g.regionW, C + 1]);
    const counts = tf.reshape(tf.transpose(tf.sum(counts6, [2, 4]), [0, 2, 1, 3]), [n, C + 1]);
    const filled = tf.where(tf.equal(counts, 0), tf.fill(counts.shape, 1e-7), counts);
    // entropy pooled to 8×8
    const entropy = pixelEntropy(probs);
    const regions = toRegions(entropy, g);
    const kh = Math.floor(g.regionH / POOL_GRID);
    const kw = Math.floor(g.regionW / POOL_GRID);
    const cropped = tf.reshape(tf.slice(regions, [0, 0, 0], [n, kh * POOL_GRID, kw * POOL_GRID]), [n, kh * POOL_GRID, kw * POOL_GRID, 1]) as tf.Tensor4D;
    const flat = (t: tf.Tensor) => tf.reshape(t, [n, POOL_GRID * POOL_GRID]);
    const maxE = flat(tf.maxPool(cropped, [kh, kw], [kh, kw], 'valid'));
    const minE = flat(tf.neg(tf.maxPool(tf.neg(cropped), [kh, kw], [kh, kw], 'valid')));
    const avgE = flat(tf.avgPool(cropped, [kh, kw], [kh, kw], 'valid'));
    return {
      features: tf.concat([filled, minE, avgE, maxE], 1) as tf.Tensor2D,
      meanEntropy: tf.mean(regions, [1, 2]) as tf.Tensor1D,
    };
  });
}

/**
 * Row-wise 32-bin histograms of values [M, L] with numpy's semantics: equal bins over each row's
 * [min, max] (last bin closed), [v−0.5, v+0.5] when all values are equal; normalised to sum 1.
 */
export function rowHistograms(values: tf.Tensor2D, bins = KL_BINS): tf.Tensor2D {
  return tf.tidy(() => {
    const [M, L] = values.shape;
    const lo0 = tf.min(values, 1, true);
    const hi0 = tf.max(values, 1, true);
    const degenerate = tf.equal(lo0, hi0);
    const lo = tf.where(degenerate, tf.sub(lo0, 0.5), lo0);
    const hi = tf.where(degenerate, tf.add(hi0, 0.5), hi0);
    const bin = tf.clipByValue(tf.floor(tf.mul(tf.div(tf.sub(values, lo), tf.sub(hi, lo)), bins)), 0, bins - 1);
    const rowOffset = tf.mul(tf.range(0, M, 1, 'int32').reshape([M, 1]), tf.scalar(bins, 'int32'));
    const flat = tf.add(tf.cast(bin, 'int32'), rowOffset).flatten();
    const counts = tf.bincount(flat, tf.tensor1d([], 'float32'), M * bins);
    return tf.div(tf.reshape(tf.cast(counts, 'float32'), [M, bins]), L) as tf.Tensor2D;
  });
}

/**
 * KL(p_i ‖ q_j) for all pairs, rows normalised to distributions first: Σ p ln p − p·ln q, one matrix
 * product instead of an M×L loop. p [M, D], q [L, D] (strictly positive entries).
 */
export function pairwiseKL(p: tf.Tensor2D, q: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const pn = tf.div(p, tf.sum(p, 1, true));
    const qn = tf.div(q, tf.sum(q, 1, true));
    const selfTerm = tf.sum(tf.mul(pn, tf.log(pn)), 1, true);
    return tf.sub(selfTerm, tf.matMul(pn, tf.log(qn), false, true)) as tf.Tensor2D;
  });
}

/**
 * Candidate feature rows [R, actionFeatureSize]: region features, then the KL-to-labeled histogram
 * (zeros when nothing is labelled) and the KL-to-candidates histogram (against all R, self included).
 * `labeledDist` holds ground-truth class distributions [L, C+1] (or null when L = 0).
 */
export function candidateFeatures(regionRows: tf.Tensor2D, numClasses: number, labeledDist: tf.Tensor2D | null): tf.Tensor2D {
  return tf.tidy(() => {
    const R = regionRows.shape[0];
    const hist = tf.slice(regionRows, [0, 0], [R, numClasses + 1]) as tf.Tensor2D;
    const klLabeled = labeledDist && labeledDist.shape[0] > 0 ? rowHistograms(pairwiseKL(hist, labeledDist)) : tf.zeros([R, KL_BINS]);
    const klPool = rowHistograms(pairwiseKL(hist, hist));
    return tf.concat([regionRows, klLabeled, klPool], 1) as tf.Tensor2D;
  });
}
