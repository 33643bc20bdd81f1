/**
 * Per-region scores: what score-based agents rank candidates by. Each score is one small
 * function over one kind of learner output (as baal's heuristics are functions over predictions),
 * reduced to one row per region; the env computes only the scores its agents name, and delivers
 * them in `info.candidates` under their names.
 *
 * Sources, in the order the env obtains them per batch of images:
 * - `features`: the RALIS region features (predicted-class counts, pooled entropy rows, and each
 *   region's mean entropy), which the env computes anyway for the observation;
 * - `probabilities`: eval-mode class probabilities [B, H, W, C];
 * - `mc`: the first moments of T MC-dropout passes (learner.mcMoments);
 * - `embeddings`: the input and output of the learner's last linear layer on its own grid.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Embeddings, McMoments } from '../learners/learner.ts';
import type { RegionGrid } from '../regions.ts';

export interface ScoreContext {
  readonly grid: RegionGrid;
  readonly numClasses: number;
}

interface Base {
  /** The name agents ask for and `info.candidates` carries it under. */
  readonly name: string;
  /** Values per region: 1 for a score; more for an embedding. */
  width(ctx: ScoreContext, embeddingDim?: number): number;
}

/** The region features every observation computes: rows [n, C+1+192] and mean entropy [n]. */
export interface RegionFeatureSet {
  readonly rows: tf.Tensor2D;
  readonly meanEntropy: tf.Tensor1D;
}

export interface FeatureScore extends Base {
  readonly source: 'features';
  /** From the region features → [n, width]. Call inside tf.tidy. */
  compute(f: RegionFeatureSet, ctx: ScoreContext): tf.Tensor2D;
}

export interface ProbabilityScore extends Base {
  readonly source: 'probabilities';
  /** From probabilities [B, H, W, C] → [B·perImage, width] in region-id order. Call inside tf.tidy. */
  compute(probs: tf.Tensor4D, ctx: ScoreContext): tf.Tensor2D;
}

export interface McScore extends Base {
  readonly source: 'mc';
  compute(moments: McMoments, ctx: ScoreContext): tf.Tensor2D;
}

export interface EmbeddingScore extends Base {
  readonly source: 'embeddings';
  compute(e: Embeddings, ctx: ScoreContext): tf.Tensor2D;
  /** Also delivered for the labelled regions (coreset's distances to the labelled set). */
  readonly ofLabeled?: boolean;
}

export type RegionScore = FeatureScore | ProbabilityScore | McScore | EmbeddingScore;
