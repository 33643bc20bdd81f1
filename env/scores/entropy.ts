/**
 * `entropy`: mean per-pixel predictive entropy (nats) over the region, eval mode — the entropy (H)
 * baseline (Shannon 1948; an AL heuristic since Settles 2009; the paper's "H"). It comes with the
 * region features, so asking for it costs nothing extra.
 */
import * as tf from '@tensorflow/tfjs';
import type { FeatureScore } from './score.ts';

export const entropyScore: FeatureScore = {
  name: 'entropy',
  source: 'features',
  width: () => 1,
  compute: (f) => tf.reshape(f.meanEntropy, [-1, 1]) as tf.Tensor2D,
};
