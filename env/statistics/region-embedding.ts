/**
 * `region-embedding`: the mean over the region of the features entering the learner's last linear
 * layer (UNet-S: its 16 trunk channels per pixel; frozen encoder: the encoder's hypercolumn per
 * cell, or the MLP head's hidden layer). Core-set selection (Sener & Savarese, ICLR 2018) measures
 * distances in this space. Delivered for the candidates and for every labelled region.
 */
import * as tf from '@tensorflow/tfjs';
import type { EmbeddingStatistic } from './statistic.ts';
import { cellRegionMatrix } from './region-reduce.ts';

export const regionEmbeddingStatistic: EmbeddingStatistic = {
  name: 'region-embedding',
  source: 'embeddings',
  ofLabeled: true,
  width: (_ctx, dim) => dim!,
  compute: (e, ctx) => {
    const [B, h, w, F] = e.features.shape;
    const m = tf.tensor2d(cellRegionMatrix(ctx.grid, h, w, e.cellH, e.cellW), [ctx.grid.perImage, h * w]);
    // [B, perImage, F] = M [perImage, hw] · features_b [hw, F], per image
    const per = tf.matMul(tf.tile(tf.expandDims(m, 0), [B, 1, 1]), tf.reshape(e.features, [B, h * w, F]));
    return tf.reshape(per, [B * ctx.grid.perImage, F]) as tf.Tensor2D;
  },
};
