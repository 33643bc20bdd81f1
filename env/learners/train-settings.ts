/**
 * A protocol's segmentation-training settings, as every learner reads them: the optimizer and its
 * constants, the batch and the crop of each training item. Paper (CamVid): SGD, lr 1e-3, momentum
 * 0.95, weight decay 1e-4, gradient norm clipped to 4, batch 32.
 */
import type { SgdConfig } from '../../nn/sgd.ts';

export const OPTIMIZER_NAMES = ['sgd', 'adam'] as const;
export type OptimizerName = (typeof OPTIMIZER_NAMES)[number];

export interface SegTrainSettings extends SgdConfig {
  /** 'sgd': momentum SGD as the paper; 'adam': Adam (β₁ 0.9, β₂ 0.999, ε 1e-8), L2 weight decay, same clipping. */
  optimizer: OptimizerName;
  batchSize: number;
  /** Training crop around each item's anchor; at most the image (then the whole image). */
  cropHeight: number;
  cropWidth: number;
  flip: boolean;
}

export const DEFAULT_SEG_TRAIN: SegTrainSettings = {
  optimizer: 'sgd',
  lr: 1e-3,
  momentum: 0.95,
  weightDecay: 1e-4,
  clipNorm: 4,
  batchSize: 16,
  cropHeight: 64,
  cropWidth: 64,
  flip: true,
};
