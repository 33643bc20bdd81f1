/**
 * `dominant-class`: the class predicted for most of the region's pixels (ties to the lowest class),
 * read off the region features' predicted-class counts. Class-balanced acquisition weighs by it.
 */
import * as tf from '@tensorflow/tfjs';
import type { FeatureScore } from './score.ts';

export const dominantClassScore: FeatureScore = {
  name: 'dominant-class',
  source: 'features',
  width: () => 1,
  compute: (f, ctx) => tf.reshape(tf.cast(tf.argMax(tf.slice(f.rows, [0, 0], [-1, ctx.numClasses]), 1), 'float32'), [-1, 1]) as tf.Tensor2D,
};
