/**
 * `region-embedding`: the mean over the region of the features entering the learner's last linear
 * layer (UNet-S: its 16 trunk channels per pixel; frozen encoder: the encoder's hypercolumn per
 * cell, or the MLP head's hidden layer), over the cells whose centre falls in the region. Core-set
 * selection (Sener & Savarese, ICLR 2018) measures distances in this space. Delivered for the
 * candidates and for every labelled region.
 */
import * as tf from '@tensorflow/tfjs';
import type { EmbeddingScore } from './score.ts';
import { cellGroups, gatherByRegion } from './region-reduce.ts';

export const regionEmbeddingScore: EmbeddingScore = {
  name: 'region-embedding',
  source: 'embeddings',
  ofLabeled: true,
  width: (_ctx, dim) => dim!,
  compute: (e, ctx) => {
    const [B, h, w, F] = e.features.shape;
    const groups = cellGroups(ctx.grid, h, w, e.cellH, e.cellW);
    const cells = gatherByRegion(tf.reshape(e.features, [B, h * w, F]) as tf.Tensor3D, groups, ctx.grid.perImage); // [n, width, F]
    const weight = tf.tile(tf.tensor3d(groups.weight, [ctx.grid.perImage, groups.width, 1]), [B, 1, 1]);
    return tf.sum(tf.mul(cells, weight), 1) as tf.Tensor2D;
  },
};
