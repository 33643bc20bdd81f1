/**
 * UNet-S as a SegLearner (the paper-style learner: the whole net trains). Weights + SGD state, with
 * training on item lists, batched inference and save/load. Forward-only passes run on the native
 * engine when one is in use (native.ts builds the graphs from these weights), gradients on it when
 * native training is chosen; tfjs is the reference for both. One object owns all of its tensors.
 */
import * as tf from '@tensorflow/tfjs';
import { DataError } from '../../../core/errors.ts';
import type { Rng } from '../../../core/rng.ts';
import type { SegSample } from '../../data/dataset.ts';
import { dropoutMultiplier } from '../../../compute/ort/dropout-masks.ts';
import { nativeInference, releaseNative } from '../../../compute/inference.ts';
import { nativeTraining } from '../../../compute/training.ts';
import { loadTensors, saveTensors } from '../../../nn/io.ts';
import { Sgd } from '../../../nn/sgd.ts';
import { blendVariables } from '../../../nn/blend.ts';
import { DEFAULT_SEG_TRAIN, type SegTrainSettings } from '../train-settings.ts';
import { anySupervised, batchTensors, cropBatch, shuffledBatches, type CropBatch, type TrainItem } from '../batches.ts';
import type { Embeddings, LearnerSpec, LearnerState, McMoments, ProbabilityReduction, SegLearner } from '../learner.ts';
import { maskedCrossEntropy } from '../loss.ts';
import { nativeLabels, nativeMcSums, nativeReduce, nativeTrunk } from './native.ts';
import { ortGradients } from './ort-gradients.ts';
import { UNET_S, assignUNet, forwardFlops, cloneUNet, disposeUNet, forward, head, initUNet, normalisedPixels, trainableVariables, trunk, unetLayerSpecs, type UNetConfig, type UNetParams } from './net.ts';

/** UNet-S trains with momentum SGD (the paper's optimizer); the protocol's other settings apply as they are. */
export type SegTrainConfig = SegTrainSettings;

export const UNET_NAME = 'unet-s';
const FORMAT = 'regiongym/unet-s';

function entropyOf(p: tf.Tensor4D): tf.Tensor3D {
  return tf.neg(tf.sum(tf.mul(p, tf.log(tf.add(p, 1e-10))), -1)) as tf.Tensor3D;
}

interface UNetState extends LearnerState {
  readonly weights: tf.Tensor[];
  readonly velocity: tf.Tensor[];
}

export class UNetLearner implements SegLearner {
  readonly optimizer: Sgd;
  readonly spec: LearnerSpec;
  private version = 0;

  private constructor(
    readonly params: UNetParams,
    readonly train: SegTrainConfig,
    readonly height: number,
    readonly width: number,
  ) {
    const levels = params.config.widths.length;
    const div = 1 << (levels - 1);
    if (height % div !== 0 || width % div !== 0) {
      throw new RangeError(`image size ${height}×${width} must be divisible by ${div} for a ${levels}-level UNet`);
    }
    if (train.optimizer !== 'sgd') throw new RangeError(`${UNET_NAME} trains with optimizer 'sgd', got '${train.optimizer}'`);
    this.optimizer = new Sgd(trainableVariables(params), train);
    this.spec = { name: UNET_NAME, widths: [...params.config.widths], dropoutRate: params.config.dropoutRate };
  }

  static create(numClasses: number, height: number, width: number, rng: Rng, train: SegTrainConfig = DEFAULT_SEG_TRAIN, net: Omit<UNetConfig, 'numClasses'> = UNET_S): UNetLearner {
    return new UNetLearner(initUNet({ ...net, numClasses }, rng), train, height, width);
  }

  get numClasses(): number {
    return this.params.config.numClasses;
  }

  /** Every convolution of the net on an h×w window (2 FLOP a multiply-add). */
  get profile() {
    return { forwardGflop: (h = this.height, w = this.width) => forwardFlops(this.params.config, h, w) / 1e9, describe: { widths: this.params.config.widths } };
  }

  get weightsVersion(): number {
    return this.version;
  }

  get trainingEngine(): 'tfjs' | 'ort' {
    return nativeTraining() ? 'ort' : 'tfjs';
  }

  /**
   * One pass over `items` in seeded shuffled batches; returns the mean batch loss. Gradients come
   * from the training engine in use (compute/training.ts); the draws from `rng` are the same on either.
   */
  async trainEpoch(items: readonly TrainItem[], rng: Rng): Promise<number> {
    // nothing supervised: no update (weight decay alone would still move the weights), no draws
    if (!anySupervised(items, this.numClasses)) return 0;
    const t = this.train;
    let total = 0;
    const batches = shuffledBatches(items.length, t.batchSize, rng);
    this.version++;
    for (const idx of batches) {
      const batch = cropBatch(Array.from(idx, (i) => items[i]!), this.height, this.width, { height: t.cropHeight, width: t.cropWidth, flip: t.flip }, rng);
      total += await this.trainBatch(batch, rng.seed());
    }
    return batches.length ? total / batches.length : 0;
  }

  private async trainBatch(batch: CropBatch, dropoutSeed: number): Promise<number> {
    const native = nativeTraining();
    if (native) {
      const { dropoutRate, widths } = this.params.config;
      // tf.dropout's own multipliers for this seed, so both engines drop the same features
      const multiplier = dropoutMultiplier(dropoutSeed, batch.batch * batch.height * batch.width * widths[0]!, dropoutRate);
      const { loss, grads } = await ortGradients(native, this.params, batch, multiplier);
      this.optimizer.applyGradients(grads);
      return loss;
    }
    const { x, y } = batchTensors(batch);
    try {
      return this.optimizer.step(() => maskedCrossEntropy(forward(this.params, x, dropoutSeed), y));
    } finally {
      x.dispose();
      y.dispose();
    }
  }

  /** Normalised NHWC pixels of whole samples. */
  pixels(samples: readonly SegSample[]): Float32Array {
    const bytes = new Uint8Array(samples.length * this.height * this.width * 3);
    samples.forEach((s, i) => bytes.set(s.image, i * this.height * this.width * 3));
    return normalisedPixels(bytes);
  }

  /** Trunk features [B, H, W, F] (everything before dropout), from the inference engine in use. Caller owns. */
  async trunkFeatures(samples: readonly SegSample[]): Promise<tf.Tensor4D> {
    const shape: [number, number, number, number] = [samples.length, this.height, this.width, this.params.config.widths[0]!];
    const native = nativeInference();
    if (native) return tf.tensor4d(await nativeTrunk(native, this, this.pixels(samples), samples.length), shape);
    return tf.tidy(() => trunk(this.params, tf.tensor4d(this.pixels(samples), [samples.length, this.height, this.width, 3])));
  }

  async probabilities(samples: readonly SegSample[]): Promise<tf.Tensor4D> {
    const f = await this.trunkFeatures(samples);
    const probs = tf.tidy(() => tf.softmax(head(this.params, f)) as tf.Tensor4D);
    f.dispose();
    return probs;
  }

  async predictLabels(samples: readonly SegSample[]): Promise<Int32Array> {
    const native = nativeInference();
    // the whole eval-mode net and the argmax run natively; only labels come back
    if (native) return nativeLabels(native, this, this.pixels(samples), samples.length);
    const f = await this.trunkFeatures(samples);
    const pred = tf.tidy(() => tf.cast(tf.argMax(head(this.params, f), 3), 'int32'));
    const out = (await pred.data()) as Int32Array;
    tf.dispose([f, pred]);
    return out;
  }

  async reduceProbabilities(samples: readonly SegSample[], reduction: ProbabilityReduction): Promise<Record<string, Float32Array> | null> {
    const native = nativeInference();
    return native ? nativeReduce(native, this, this.pixels(samples), samples.length, reduction) : null;
  }

  /**
   * The trunk runs once, then one dropout pass of the head per seed (tf.dropout's masks; on the
   * native engine the same masks made by dropout-masks.ts), running sums kept at two maps whatever
   * T is. ε = 1e-10 inside the entropy's log, as the paper.
   */
  async mcMoments(samples: readonly SegSample[], passes: number, rng: Rng): Promise<McMoments> {
    if (!Number.isInteger(passes) || passes < 2) throw new RangeError(`MC dropout needs at least 2 passes, got ${passes}`);
    const seeds = Array.from({ length: passes }, () => rng.seed());
    const features = await this.trunkFeatures(samples);
    const [B, H, W, F] = features.shape;
    const C = this.numClasses;
    const native = nativeInference();
    let sumP: tf.Tensor4D;
    let sumH: tf.Tensor3D;
    if (native) {
      const sums = await nativeMcSums(native, this, (await features.data()) as Float32Array, [B, H, W, F], seeds);
      sumP = tf.tensor4d(sums.sumP, [B, H, W, C]);
      sumH = tf.tensor3d(sums.sumH, [B, H, W]);
    } else {
      sumP = tf.zeros([B, H, W, C]);
      sumH = tf.zeros([B, H, W]);
      for (const seed of seeds) {
        const [nextP, nextH] = tf.tidy(() => {
          const p = tf.softmax(head(this.params, features, seed)) as tf.Tensor4D;
          return [tf.add(sumP, p) as tf.Tensor4D, tf.add(sumH, entropyOf(p)) as tf.Tensor3D];
        });
        tf.dispose([sumP, sumH]);
        sumP = nextP;
        sumH = nextH;
      }
    }
    const out = tf.tidy(() => ({ meanProbs: tf.div(sumP, passes) as tf.Tensor4D, meanEntropy: tf.div(sumH, passes) as tf.Tensor3D }));
    tf.dispose([features, sumP, sumH]);
    return out;
  }

  async embeddings(samples: readonly SegSample[]): Promise<Embeddings> {
    const features = await this.trunkFeatures(samples);
    const probs = tf.tidy(() => tf.softmax(head(this.params, features)) as tf.Tensor4D);
    return { features, probs, cellH: 1, cellW: 1 };
  }

  clone(train: Partial<SegTrainSettings> = {}): UNetLearner {
    return new UNetLearner(cloneUNet(this.params), { ...this.train, ...train }, this.height, this.width);
  }

  setLearningRate(lr: number): void {
    this.optimizer.lr = lr;
  }

  copyWeightsFrom(other: SegLearner): void {
    if (!(other instanceof UNetLearner)) throw new TypeError(`copyWeightsFrom: expected a ${UNET_NAME} learner, got ${other.spec.name}`);
    assignUNet(this.params, other.params);
    this.version++;
  }

  blendWeightsFrom(other: SegLearner, keep: number): void {
    if (!(other instanceof UNetLearner)) throw new TypeError(`blendWeightsFrom: expected a ${UNET_NAME} learner, got ${other.spec.name}`);
    blendVariables(trainableVariables(this.params), trainableVariables(other.params), keep);
    this.version++;
  }

  saveState(): UNetState {
    return { weightsVersion: this.version, weights: trainableVariables(this.params).map((v) => v.clone()), velocity: this.optimizer.state().map((v) => v.clone()) };
  }

  restore(state: LearnerState): void {
    const s = state as UNetState;
    trainableVariables(this.params).forEach((v, i) => v.assign(s.weights[i]!));
    this.optimizer.state().forEach((v, i) => v.assign(s.velocity[i]!));
    this.version++;
  }

  disposeState(state: LearnerState): void {
    const s = state as UNetState;
    tf.dispose([...s.weights, ...s.velocity]);
  }

  async save(dir: string): Promise<void> {
    const tensors: tf.NamedTensorMap = {};
    for (const l of this.params.layers) {
      tensors[`${l.spec.name}/kernel`] = l.kernel;
      tensors[`${l.spec.name}/bias`] = l.bias;
    }
    await saveTensors(dir, FORMAT, { config: this.params.config, height: this.height, width: this.width }, tensors, { train: this.train });
  }

  static async load(dir: string, train?: SegTrainConfig): Promise<UNetLearner> {
    const { topology, metadata, tensors } = await loadTensors(dir, FORMAT);
    const topo = topology as { config: UNetConfig; height: number; width: number };
    const params = initUNetFromTensors(topo.config, tensors, dir);
    const meta = metadata as { train?: SegTrainConfig };
    return new UNetLearner(params, train ?? { ...DEFAULT_SEG_TRAIN, ...meta.train }, topo.height, topo.width);
  }

  private disposed = false;

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    releaseNative(this);
    this.optimizer.dispose();
    disposeUNet(this.params);
  }
}

function initUNetFromTensors(config: UNetConfig, tensors: tf.NamedTensorMap, dir: string): UNetParams {
  const specs = unetLayerSpecs(config);
  const layers = specs.map((spec) => {
    const k = tensors[`${spec.name}/kernel`];
    const b = tensors[`${spec.name}/bias`];
    if (!k || !b) throw new DataError(`${dir}/model.json: missing weights for layer '${spec.name}'`);
    const want = [spec.k, spec.k, spec.cin, spec.cout].join('×');
    if (k.shape.join('×') !== want) throw new DataError(`${dir}: layer '${spec.name}' kernel is ${k.shape.join('×')}, expected ${want}`);
    if (!isFinite(k) || !isFinite(b)) throw new DataError(`${dir}/weights.bin: layer '${spec.name}' holds NaN or infinite weights`);
    const layer = { spec, kernel: tf.variable(k), bias: tf.variable(b) };
    k.dispose();
    b.dispose();
    return layer;
  });
  return { config, layers };
}

function isFinite(t: tf.Tensor): boolean {
  return (t.dataSync() as Float32Array).every(Number.isFinite);
}
