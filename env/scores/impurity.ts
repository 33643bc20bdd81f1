/**
 * `impurity`: RIPU's region impurity × prediction uncertainty (Xie et al., CVPR 2022, "Towards
 * fewer annotations: active learning via region impurity and prediction uncertainty for domain
 * adaptive semantic segmentation"). Per pixel, over its (2k+1)² window (k = 1, clipped at the image
 * border): impurity P = −Σ_c d_c log d_c / log C, d_c the share of the window's pixels predicted c;
 * uncertainty U = entropy / log C. Region score: the mean of P·U over its pixels.
 */
import * as tf from '@tensorflow/tfjs';
import type { ProbabilityScore } from './score.ts';
import { regionMeanColumn } from './region-reduce.ts';
import { pixelEntropy } from '../features.ts';

export const IMPURITY_K = 1;

export const impurityScore: ProbabilityScore = {
  name: 'impurity',
  source: 'probabilities',
  width: () => 1,
  compute: (probs, ctx) => {
    const C = probs.shape[3];
    const onehot = tf.cast(tf.oneHot(tf.argMax(probs, 3) as tf.Tensor3D, C), 'float32') as tf.Tensor4D;
    const size = 2 * IMPURITY_K + 1;
    // shares within the window clipped at the border: pooled one-hots over pooled ones (whatever
    // the backend's 'same' padding counts, the ratio counts only pixels inside the image)
    const inside = tf.avgPool(tf.onesLike(tf.slice(onehot, [0, 0, 0, 0], [-1, -1, -1, 1])) as tf.Tensor4D, size, 1, 'same');
    const d = tf.div(tf.avgPool(onehot, size, 1, 'same'), inside);
    const impurity = tf.div(tf.neg(tf.sum(tf.mul(d, tf.log(tf.maximum(d, 1e-30))), -1)), Math.log(C));
    const uncertainty = tf.div(pixelEntropy(probs), Math.log(C));
    return regionMeanColumn(tf.mul(impurity, uncertainty) as tf.Tensor3D, ctx.grid);
  },
};
