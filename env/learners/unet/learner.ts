/**
 * The segmentation model as the environment uses it: UNet-S weights + SGD state, with training on
 * item lists, batched inference, evaluation and save/load. One object owns all of its tensors;
 * `dispose()` frees them.
 */
import * as tf from '@tensorflow/tfjs';
import { DataError } from '../../core/errors.ts';
import type { Rng } from '../../core/rng.ts';
import type { SegSample } from '../../data/dataset.ts';
import { ConfusionMatrix } from '../../metrics.ts';
import { batchTensors, cropBatch, shuffledBatches, type CropBatch, type TrainItem } from '../batches.ts';
import { dropoutMultiplier } from '../../../compute/ort/dropout-masks.ts';
import { ortGradients } from './ort-gradients.ts';
import { trainingOrt } from '../../../compute/training.ts';
import { loadTensors, saveTensors } from '../../../nn/io.ts';
import { maskedCrossEntropy } from '../loss.ts';
import { Sgd, type SgdConfig } from '../../../nn/sgd.ts';
import { activeOrt, releaseInference, trunkFeatures } from '../../../compute/inference.ts';
import { UNET_S, assignUNet, cloneUNet, disposeUNet, forward, head, initUNet, normalisedPixels, trainableVariables, unetLayerSpecs, type UNetConfig, type UNetParams } from './net.ts';

export interface SegTrainConfig extends SgdConfig {
  batchSize: number;
  cropHeight: number;
  cropWidth: number;
  flip: boolean;
}

/** ralis-spec.md §7.3 (CamVid): lr 1e-3, momentum 0.95, wd 1e-4, clip 4, batch 32; our crop is protocol-sized. */
export const DEFAULT_SEG_TRAIN: SegTrainConfig = {
  lr: 1e-3,
  momentum: 0.95,
  weightDecay: 1e-4,
  clipNorm: 4,
  batchSize: 16,
  cropHeight: 64,
  cropWidth: 64,
  flip: true,
};

const FORMAT = 'regiongym/unet-s';

export class Segmenter {
  readonly optimizer: Sgd;
  /** Bumped whenever the weights change, so inference engines know when a cached copy is stale. */
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
    this.optimizer = new Sgd(trainableVariables(params), train);
  }

  static create(numClasses: number, height: number, width: number, rng: Rng, train: SegTrainConfig = DEFAULT_SEG_TRAIN): Segmenter {
    return new Segmenter(initUNet({ ...UNET_S, numClasses }, rng), train, height, width);
  }

  get numClasses(): number {
    return this.params.config.numClasses;
  }

  get weightsVersion(): number {
    return this.version;
  }

  /**
   * One pass over `items` in seeded shuffled batches; returns the mean batch loss. Gradients come
   * from the training engine in use (training.ts); the draws from `rng` are the same on either.
   */
  async trainEpoch(items: readonly TrainItem[], rng: Rng): Promise<number> {
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
    const native = trainingOrt();
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
  trunkFeatures(samples: readonly SegSample[]): Promise<tf.Tensor4D> {
    return trunkFeatures(this, this.pixels(samples), samples.length);
  }

  /** Softmax probabilities [B, H, W, C] (eval mode: no dropout). Caller owns the tensor. */
  async predictProbs(samples: readonly SegSample[]): Promise<tf.Tensor4D> {
    const f = await this.trunkFeatures(samples);
    const probs = tf.tidy(() => tf.softmax(head(this.params, f)) as tf.Tensor4D);
    f.dispose();
    return probs;
  }

  /** Confusion matrix over `samples`, forwarding `batchSize` images at a time. */
  async evaluate(samples: readonly SegSample[], batchSize = 8): Promise<ConfusionMatrix> {
    const cm = new ConfusionMatrix(this.numClasses);
    const native = activeOrt();
    for (let i = 0; i < samples.length; i += batchSize) {
      const batch = samples.slice(i, i + batchSize);
      const labels = new Int32Array(batch.length * this.height * this.width);
      batch.forEach((s, b) => labels.set(s.label, b * this.height * this.width));
      if (native) {
        // the whole eval-mode net and the argmax run natively; only labels come back
        cm.addArrays(await native.labels(this, this.pixels(batch), batch.length), labels);
        continue;
      }
      const f = await this.trunkFeatures(batch);
      const pred = tf.tidy(() => tf.argMax(head(this.params, f), 3));
      const lab = tf.tensor3d(labels, [batch.length, this.height, this.width], 'int32');
      cm.addTensors(pred, lab);
      tf.dispose([f, pred, lab]);
    }
    return cm;
  }

  /** Fresh copy of the weights (optimizer state starts at zero), optionally with another training config. */
  clone(train: SegTrainConfig = this.train): Segmenter {
    return new Segmenter(cloneUNet(this.params), train, this.height, this.width);
  }

  /** Overwrite these weights with `other`'s. */
  copyWeightsFrom(other: Segmenter): void {
    assignUNet(this.params, other.params);
    this.version++;
  }

  async save(dir: string): Promise<void> {
    const tensors: tf.NamedTensorMap = {};
    for (const l of this.params.layers) {
      tensors[`${l.spec.name}/kernel`] = l.kernel;
      tensors[`${l.spec.name}/bias`] = l.bias;
    }
    await saveTensors(dir, FORMAT, { config: this.params.config, height: this.height, width: this.width }, tensors, { train: this.train });
  }

  static async load(dir: string, train?: SegTrainConfig): Promise<Segmenter> {
    const { topology, metadata, tensors } = await loadTensors(dir, FORMAT);
    const topo = topology as { config: UNetConfig; height: number; width: number };
    const params = initUNetFromTensors(topo.config, tensors, dir);
    const meta = metadata as { train?: SegTrainConfig };
    return new Segmenter(params, train ?? meta.train ?? DEFAULT_SEG_TRAIN, topo.height, topo.width);
  }

  dispose(): void {
    releaseInference(this);
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
    const layer = { spec, kernel: tf.variable(k), bias: tf.variable(b) };
    k.dispose();
    b.dispose();
    return layer;
  });
  return { config, layers };
}
