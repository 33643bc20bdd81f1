/** Observation, info and event types of ActiveSegEnv. */
import type * as tf from '@tensorflow/tfjs';

/**
 * Observation. Ownership: the env owns these tensors. They stay valid until the next `step`,
 * `reset` or `close` of the env, which disposes them; an agent that keeps features beyond that
 * (a replay buffer) copies them (`tensor.clone()` or `await tensor.data()`).
 */
export interface ActiveSegObs {
  /** State-set region features [R_S, F_s]: R_S = state images × regions per image; F_s = (C+1) + 192. */
  readonly state: tf.Tensor2D;
  /** Candidate features [K, N, D]; D = F_s + 64. Padding rows are all zero. */
  readonly pools: tf.Tensor3D;
  /** [K·N]: 1 for a real candidate, 0 for padding (pool k, slot n at k·N + n). */
  readonly actionMask: Uint8Array;
}

/**
 * Per-candidate statistics by name (env/scores), flat [K·N·width] in slot order like
 * `actionMask` (0 at padding). `entropy` (mean pixel entropy in nats, the entropy baseline's score)
 * is always there; the others only when the env was asked for them (`statistics` option).
 */
export type CandidateStats = Readonly<Record<string, Float32Array>>;

export interface ActiveSegInfo {
  /** Steps taken in this episode. */
  readonly step: number;
  readonly budgetRegions: number;
  readonly usedRegions: number;
  readonly leftRegions: number;
  /** The cost unit in pixels: every region has regionPixels pixels. */
  readonly regionPixels: number;
  readonly usedPixels: number;
  readonly budgetPixels: number;
  /** Region ids labelled so far, in labelling order (id = poolImage · regionsPerImage + region). */
  readonly labeledRegionIds: Int32Array;
  /** Region ids labelled by the last step (empty after reset). */
  readonly newRegionIds: Int32Array;
  /** Candidate region id per slot [K·N]; −1 = padding. */
  readonly candidateIds: Int32Array;
  readonly candidates: CandidateStats;
  /** Values per candidate of each statistic in `candidates` (1 for a score). */
  readonly candidateWidths: Readonly<Record<string, number>>;
  /** Statistics also computed for the labelled regions [L·width], in `labeledRegionIds` order (e.g. region-embedding). */
  readonly labeledStatistics: CandidateStats;
  /** mIoU on the reward set after the last training (at reset: of the initial model), in [0, 1]. */
  readonly rewardMIoU: number;
  readonly rewardPerClassIoU: readonly number[];
  /** Labelled pixels per label value (C classes + void). */
  readonly labeledClassHistogram: readonly number[];
}

export type ActiveSegEvent =
  | { readonly type: 'reset'; readonly episodeSeed: number; readonly rewardMIoU: number; readonly ms: number }
  | { readonly type: 'train'; readonly step: number; readonly epoch: number; readonly loss: number; readonly items: number; readonly ms: number }
  | { readonly type: 'eval'; readonly step: number; readonly mIoU: number; readonly ms: number }
  | {
      readonly type: 'step';
      readonly step: number;
      readonly reward: number;
      readonly usedRegions: number;
      readonly budgetRegions: number;
      readonly terminated: boolean;
      readonly truncated: boolean;
      /** Wall time per stage of this step. */
      readonly timings: { readonly trainMs: number; readonly evalMs: number; readonly featuresMs: number };
    };
