/**
 * `second-over-first`: mean over the region's pixels of u = p₂ / p₁ (the two largest class
 * probabilities): the uncertainty of Cai et al.'s class-balanced acquisition (CVPR 2021, "Revisiting
 * superpixels for active learning in semantic segmentation with realistic annotation costs").
 */
import * as tf from '@tensorflow/tfjs';
import type { ProbabilityScore } from './score.ts';
import { regionMeanColumn } from './region-reduce.ts';
import { topTwo } from './margin.ts';

export const secondOverFirstScore: ProbabilityScore = {
  name: 'second-over-first',
  source: 'probabilities',
  width: () => 1,
  compute: (probs, ctx) => {
    const [p1, p2] = topTwo(probs);
    return regionMeanColumn(tf.div(p2, p1) as tf.Tensor3D, ctx.grid);
  },
};
