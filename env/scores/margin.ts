/**
 * `margin`: mean over the region's pixels of 1 − (p₁ − p₂), p₁ ≥ p₂ the two largest class
 * probabilities (eval mode): high where the model hesitates between two classes. As PixelPick
 * (Shin et al., ICCV 2021) scores pixels and baal's `Margin` heuristic.
 */
import * as tf from '@tensorflow/tfjs';
import type { ProbabilityScore } from './score.ts';
import { regionMeanColumn } from './region-reduce.ts';

/** Top two probabilities per pixel: [B, H, W] each. */
export function topTwo(probs: tf.Tensor4D): [tf.Tensor3D, tf.Tensor3D] {
  const { values } = tf.topk(probs, 2);
  const [p1, p2] = tf.unstack(values, 3) as [tf.Tensor3D, tf.Tensor3D];
  return [p1, p2];
}

export const marginScore: ProbabilityScore = {
  name: 'margin',
  source: 'probabilities',
  width: () => 1,
  compute: (probs, ctx) => {
    const [p1, p2] = topTwo(probs);
    return regionMeanColumn(tf.sub(1, tf.sub(p1, p2)) as tf.Tensor3D, ctx.grid);
  },
};
