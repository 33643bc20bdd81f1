/**
 * `gradient-embedding`: BADGE's embedding (Ash et al., ICLR 2020, "Deep batch active learning by
 * diverse, uncertain gradient lower bounds"), the gradient of the cross-entropy at the predicted
 * label with respect to the last linear layer's weights, averaged over the region's cells:
 * (1/|r|) Σ_j (p_j − e_{ŷ_j}) ⊗ h_j, with h_j the layer's input and p_j its softmax at cell j of the
 * learner's grid (cells whose centre falls in the region). Width C·F.
 */
import * as tf from '@tensorflow/tfjs';
import type { EmbeddingStatistic } from './statistic.ts';
import { cellRegionMatrix } from './region-reduce.ts';

export const gradientEmbeddingStatistic: EmbeddingStatistic = {
  name: 'gradient-embedding',
  source: 'embeddings',
  width: (ctx, dim) => ctx.numClasses * dim!,
  compute: (e, ctx) => {
    const [B, h, w, F] = e.features.shape;
    const C = e.probs.shape[3];
    const R = ctx.grid.perImage;
    const m = tf.tensor2d(cellRegionMatrix(ctx.grid, h, w, e.cellH, e.cellW), [R, h * w]);
    const p = tf.reshape(e.probs, [B, h * w, C]);
    const g = tf.sub(p, tf.oneHot(tf.argMax(p, 2), C)); // [B, hw, C]
    // weight cell gradients by region membership: [B, R, hw, C] would be large, so per class:
    // out[b, r, c, :] = Σ_j m[r, j] · g[b, j, c] · h[b, j, :]
    const feats = tf.reshape(e.features, [B, h * w, F]);
    const perClass = tf.unstack(g, 2).map((gc) => tf.matMul(tf.mul(tf.expandDims(m, 0), tf.expandDims(gc, 1)), feats)); // C × [B, R, F]
    return tf.reshape(tf.stack(perClass, 2), [B * R, C * F]) as tf.Tensor2D;
  },
};
