/**
 * The segmentation learner contract: everything the environment, the statistics and the benchmark
 * ask of a segmentation model, and nothing else. The env never touches a net directly; a protocol
 * names its learner (`model: { name, ... }`) and the registry (registry.ts) makes it.
 *
 * Conventions every member keeps:
 * - Images are `SegSample`s of the learner's data set, all `height × width`; the learner may look
 *   their features up by `id` (a frozen encoder does), so pass samples, not bare pixels.
 * - Tensors a member returns belong to the caller, who disposes them. Members never keep a caller's
 *   tensor. Typed arrays returned are fresh copies.
 * - Every random draw comes from the `Rng` passed in; the same weights, inputs and rng state give
 *   the same bits on the same engine.
 * - `weightsVersion` changes whenever the weights do (training, copy, restore), so a cached graph
 *   or session built from older weights is known to be stale.
 * - Whether a learner runs natively is its own business: it builds its own ONNX graphs for the
 *   native engine (compute/ort) or runs on tfjs; nothing outside builds graphs from its weights.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../core/rng.ts';
import type { ConfusionMatrix } from '../metrics.ts';
import type { SegDataset, SegSample } from '../data/dataset.ts';
import type { GraphBuilder } from '../../compute/ort/graph.ts';
import type { TrainItem } from './batches.ts';
import type { SegTrainSettings } from './train-settings.ts';

export type { TrainItem } from './batches.ts';

/** A learner's name and settings as a protocol gives them; recorded in every run record. */
export interface LearnerSpec {
  readonly name: string;
  readonly [setting: string]: unknown;
}

/** First moments of T MC-dropout passes: what BALD (and any mean/entropy-based MC score) needs. */
export interface McMoments {
  /** mean_t p_t, [B, H, W, C]. */
  readonly meanProbs: tf.Tensor4D;
  /** mean_t H(p_t) per pixel (nats; ε = 1e-10 inside the log), [B, H, W]. */
  readonly meanEntropy: tf.Tensor3D;
}

/**
 * The input of the learner's last linear layer on its own grid (coreset, BADGE). Cell (i, j) of the
 * grid covers image pixels [i·cellH, (i+1)·cellH) × [j·cellW, (j+1)·cellW) (fractional sizes allowed).
 */
export interface Embeddings {
  /** [B, h, w, F] features entering the last linear layer (eval mode). */
  readonly features: tf.Tensor4D;
  /** [B, h, w, C] softmax of that layer's output on the same grid. */
  readonly probs: tf.Tensor4D;
  readonly cellH: number;
  readonly cellW: number;
}

/**
 * A per-image reduction of eval-mode probabilities that a learner running natively may fuse into
 * its own graph, so only the small result crosses back to JS (the env's region features are one).
 * `build` appends nodes that read `probs` (NHWC [1, H, W, C]) and writes the named outputs.
 */
export interface ProbabilityReduction {
  /** Stable cache key of the reduction's graph (its settings in the name). */
  readonly key: string;
  /** Output names and dims (strings are symbolic, e.g. the region count). */
  readonly outputs: readonly { readonly name: string; readonly dims: readonly (number | string)[] }[];
  build(g: GraphBuilder, probs: string): void;
  /** The ONNX opset its ops need (default 13, as every other graph). */
  readonly opset?: number;
}

/** Weights plus everything training changes (optimizer state), to put back exactly. */
export interface LearnerState {
  readonly weightsVersion: number;
}

export interface SegLearner {
  /** Name and settings (the protocol's `model` with defaults filled in). */
  readonly spec: LearnerSpec;
  readonly numClasses: number;
  /** Image size the learner accepts (every image of its data set). */
  readonly height: number;
  readonly width: number;
  /** Changes on every weight change; engines key cached graphs on it. */
  readonly weightsVersion: number;
  /** Which engine computes this learner's gradients right now (run records carry it). */
  readonly trainingEngine: 'tfjs' | 'ort';

  /**
   * One pass over `items` in seeded shuffled batches with the learner's optimizer; returns the mean
   * batch loss. Pixels labelled `numClasses` (void, not yet labelled) carry no loss; an item list
   * whose pixels are all ignored leaves the weights unchanged.
   */
  trainEpoch(items: readonly TrainItem[], rng: Rng): Promise<number>;

  /** Eval-mode class probabilities [B, H, W, C] (rows sum to 1). Caller owns. */
  probabilities(images: readonly SegSample[]): Promise<tf.Tensor4D>;

  /** Eval-mode argmax labels, [B·H·W] row-major per image (ties to the lowest class). */
  predictLabels(images: readonly SegSample[]): Promise<Int32Array>;

  /**
   * Optional: the confusion counts of predictLabels against the images' own labels, `batch` images at
   * a time, when the learner can count without a label map (evaluate.ts uses it for every reward and test).
   */
  confusion?(images: readonly SegSample[], batch: number): Promise<ConfusionMatrix>;

  /** `passes` ≥ 2 MC-dropout passes, each with its own seed drawn from `rng`. Caller owns. */
  mcMoments(images: readonly SegSample[], passes: number, rng: Rng): Promise<McMoments>;

  /** The last linear layer's input and output on the learner's grid. Caller owns. */
  embeddings(images: readonly SegSample[]): Promise<Embeddings>;
  /** True when `embeddings(...).features` never change with training (a frozen encoder's linear head), so they may be cached. */
  readonly fixedEmbeddings?: boolean;
  /**
   * For `npm run bench`'s breakdown: GFLOP of one eval forward pass over an h×w window (default the
   * whole image), and what distinguishes this learner's workload (feature dims, head width).
   */
  readonly profile?: { forwardGflop(h?: number, w?: number): number; readonly describe: Record<string, unknown> };

  /**
   * `reduction` of the eval-mode probabilities of each image, run natively; outputs concatenated in
   * image order. Absent, or resolving to null, when the learner does not run natively right now:
   * the caller then computes the same thing from `probabilities` on tfjs.
   */
  reduceProbabilities?(images: readonly SegSample[], reduction: ProbabilityReduction): Promise<Record<string, Float32Array> | null>;

  /** A deep copy: same weights, fresh optimizer state; `train` overrides the copy's training settings (lr, batch). */
  clone(train?: Partial<SegTrainSettings>): SegLearner;
  /** Set the optimizer's learning rate from now on (a schedule). */
  setLearningRate(lr: number): void;
  /** Overwrite the weights with `other`'s (same learner kind and settings). */
  copyWeightsFrom(other: SegLearner): void;
  /** Move the weights toward `other`'s: w ← keep·w + (1 − keep)·w_other (a running weight average). */
  blendWeightsFrom(other: SegLearner, keep: number): void;
  /** Snapshot of weights and optimizer state; `restore` puts them back bit for bit. */
  saveState(): LearnerState;
  restore(state: LearnerState): void;
  /** Free a snapshot's tensors. */
  disposeState(state: LearnerState): void;

  /** model.json + weights.bin (atomic per file). */
  save(dir: string): Promise<void>;
  /** Free every tensor and native session; idempotent. */
  dispose(): void;
}

/** What a learner is made for: its data set (geometry, classes, images), training settings, caches. */
export interface LearnerContext {
  readonly data: SegDataset;
  readonly train: SegTrainSettings;
  /** A directory the learner may keep derived data in across runs (a feature cache); null: none. */
  readonly cacheDir: string | null;
}

export interface LearnerFactory {
  readonly name: string;
  /** One line for listings. */
  readonly description: string;
  /** JSON schema of the protocol's `model` object for this learner (with `name`). */
  readonly schema: object;
  /** The spec with every default filled in: what run records carry. */
  resolve(spec: LearnerSpec): LearnerSpec;
  /** A learner with freshly initialised trainable weights (seeded). */
  create(spec: LearnerSpec, ctx: LearnerContext, rng: Rng): Promise<SegLearner>;
  /** A learner saved by `save(dir)`. */
  load(dir: string, spec: LearnerSpec, ctx: LearnerContext): Promise<SegLearner>;
  /**
   * Whether its gradients follow `--training` (a native graph exists): runs files check one engine per
   * board by it. Default true. (The frozen encoder's native step needs crops aligned to its feature
   * grid, as every shipped geometry is; an unaligned one trains on tfjs and says so in its records.)
   */
  readonly nativeTraining?: boolean;
  /** What worker threads share with the parent (buffers in shared memory, e.g. encoded features), to hand to adoptShared there. */
  shared?(): unknown;
  /** In a worker thread: use the parent's `shared()` instead of computing it again. */
  adoptShared?(shared: unknown): void;
  /** The spec without caches on disk (a dry run that must write nothing). */
  withoutDiskCache?(spec: LearnerSpec): LearnerSpec;
  /** Work every run of this spec shares, done once up front (encoding a data set's features). */
  prepare?(spec: LearnerSpec, ctx: LearnerContext, onProgress?: (done: number, total: number) => void): Promise<void>;
}
