/**
 * `gradient-embedding`: BADGE's embedding (Ash et al., ICLR 2020, "Deep batch active learning by
 * diverse, uncertain gradient lower bounds"), the gradient of the cross-entropy at the predicted
 * label with respect to the last linear layer's weights, averaged over the region's cells:
 * (1/|r|) Σ_j (p_j − e_{ŷ_j}) ⊗ h_j, with h_j the layer's input and p_j its softmax at cell j of the
 * learner's grid (cells whose centre falls in the region). Width C·F. Computed per region over its
 * own cells (one small matrix product each), not as a dense region × cell product.
 */
import * as tf from '@tensorflow/tfjs';
import type { EmbeddingScore } from './score.ts';
import { cellGroups, gatherByRegion } from './region-reduce.ts';

export const gradientEmbeddingScore: EmbeddingScore = {
  name: 'gradient-embedding',
  source: 'embeddings',
  width: (ctx, dim) => ctx.numClasses * dim!,
  compute: (e, ctx) => {
    const [B, h, w, F] = e.features.shape;
    const C = e.probs.shape[3];
    const R = ctx.grid.perImage;
    const groups = cellGroups(ctx.grid, h, w, e.cellH, e.cellW);
    const p = tf.reshape(e.probs, [B, h * w, C]) as tf.Tensor3D;
    const g = tf.sub(p, tf.oneHot(tf.argMax(p, 2), C)) as tf.Tensor3D; // [B, hw, C]
    const weight = tf.tile(tf.tensor3d(groups.weight, [R, groups.width, 1]), [B, 1, 1]);
    const gr = tf.mul(gatherByRegion(g, groups, R), weight); // [n, width, C], 1/|r| folded in
    const hr = gatherByRegion(tf.reshape(e.features, [B, h * w, F]) as tf.Tensor3D, groups, R); // [n, width, F]
    return tf.reshape(tf.matMul(gr, hr, true, false), [B * R, C * F]) as tf.Tensor2D; // [n, C, F]
  },
};
