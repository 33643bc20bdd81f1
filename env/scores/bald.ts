/**
 * `bald`: BALD (Houlsby et al. 2011; MC dropout as in Gal et al. 2017), the mutual information
 * between a pixel's prediction and the weights, H(mean_t p_t) − mean_t H(p_t) over T dropout passes
 * (ε = 1e-10 inside the logs, as the paper), clipped at 0 against rounding, averaged over the region.
 */
import * as tf from '@tensorflow/tfjs';
import type { McScore } from './score.ts';
import { regionMeanColumn } from './region-reduce.ts';

function entropy(p: tf.Tensor4D): tf.Tensor3D {
  return tf.neg(tf.sum(tf.mul(p, tf.log(tf.add(p, 1e-10))), -1)) as tf.Tensor3D;
}

/** Per-pixel BALD [B, H, W] from MC moments. */
export function pixelBald(meanProbs: tf.Tensor4D, meanEntropy: tf.Tensor3D): tf.Tensor3D {
  return tf.tidy(() => tf.relu(tf.sub(entropy(meanProbs), meanEntropy)) as tf.Tensor3D);
}

export const baldScore: McScore = {
  name: 'bald',
  source: 'mc',
  width: () => 1,
  compute: (m, ctx) => regionMeanColumn(pixelBald(m.meanProbs, m.meanEntropy), ctx.grid),
};
