/**
 * A frozen pretrained encoder with a trainable head, as a SegLearner. The encoder ran once per image
 * (feature-store.ts); what trains is the head on the cached hypercolumns. Per-pixel outputs are at
 * full image resolution: the head's logits on the feature grid, bilinearly upsampled (half-pixel
 * centres), then softmax or argmax; the loss is the masked cross-entropy over labelled pixels.
 *
 * Training items: with an anchor (a labelled region's centre), the crop of the protocol's size
 * centred on it (clamped to the image; no random position or flip, which fixed features cannot
 * follow); without one (full supervision), the whole image. Dropout drops head-input channels, one
 * mask per item while training and one per MC pass. Forward passes run on the native engine when one
 * is in use (native.ts), else on tfjs (the reference).
 */
import * as tf from '@tensorflow/tfjs';
import { DataError } from '../../../core/errors.ts';
import type { Rng } from '../../../core/rng.ts';
import type { SegSample } from '../../data/dataset.ts';
import { dropoutMultiplier } from '../../../compute/ort/dropout-masks.ts';
import { sharedCopy, type Feeds } from '../../../compute/ort/host.ts';
import { nativeInference, releaseNative } from '../../../compute/inference.ts';
import { nativeTraining } from '../../../compute/training.ts';
import type { OrtEngine } from '../../../compute/ort/engine.ts';
import { Adam } from '../../../nn/adam.ts';
import { blendVariables } from '../../../nn/blend.ts';
import { decodeHalf } from '../../../nn/float16.ts';
import { loadTensors, saveTensors } from '../../../nn/io.ts';
import { Sgd } from '../../../nn/sgd.ts';
import { anySupervised, shuffledBatches, type TrainItem } from '../batches.ts';
import type { Embeddings, LearnerSpec, LearnerState, McMoments, ProbabilityReduction, SegLearner } from '../learner.ts';
import { maskedCrossEntropy } from '../loss.ts';
import type { SegTrainSettings } from '../train-settings.ts';
import type { FeatureStore } from './feature-store.ts';
import { cloneHead, headEmbedding, headLogits, initHead, type HeadConfig, type HeadParams } from './head.ts';
import { axisWeights } from './interp.ts';
import { upsampleHalfPixel } from './upsample.ts';
import { upsampledArgmax } from '../../../compute/upsampled-argmax.ts';
import { ConfusionMatrix } from '../../metrics.ts';
import { cellLogitsModel, mcModel, probsModel, reductionModel, type GraphGeometry } from './native.ts';
import { headTrainModel, windowKey, type TrainWindow } from './native-train.ts';
import { RunBuffers } from './run-buffers.ts';
import { planTiles } from './tiles.ts';

export const FROZEN_ENCODER_NAME = 'frozen-encoder';
const FORMAT = 'regiongym/frozen-encoder-head';
/** Owner of the native training graphs: their weights are inputs, so one session per window geometry serves every step. */
const TRAIN_GRAPHS = { weightsVersion: 0 };
/** Cells per native training run (windows are grouped up to this): large enough a product for the machine's speed. */
const RUN_CELLS = 4096;

interface State extends LearnerState {
  readonly tensors: tf.Tensor[];
  readonly steps: number;
}

/** Cells of a training crop of `px` pixels: enough to cover it, a multiple of the alignment step `a`, at most the grid. */
export function alignedCells(px: number, cell: number, grid: number, a: number): number {
  return Math.min(Math.floor(grid / a) * a, a * Math.ceil(Math.ceil(px / cell - 1e-9) / a));
}

/** First cell of an n-cell crop centred on pixel `anchor`: a multiple of `a`, inside the grid. */
export function alignedStart(anchor: number, cell: number, n: number, grid: number, a: number): number {
  return Math.max(0, Math.min(Math.floor((grid - n) / a) * a, a * Math.round((anchor / cell - n / 2) / a)));
}

/**
 * Logits of a window of cells (its margin of `mh`×`mw` pixels included) upsampled to pixels with
 * half-pixel centres, margin cut: [B, kh, kw, C]. Call inside tf.tidy (differentiable, with the true
 * adjoint: upsample.ts).
 */
export function upsampleWindow(cells: tf.Tensor4D, cellH: number, cellW: number, mh: number, mw: number, kh: number, kw: number): tf.Tensor4D {
  const [B, wh, ww, C] = cells.shape;
  const up = upsampleHalfPixel(cells, Math.round(wh * cellH), Math.round(ww * cellW));
  return tf.slice(up, [0, mh, mw, 0], [B, kh, kw, C]) as tf.Tensor4D;
}

export class FrozenEncoderLearner implements SegLearner {
  readonly numClasses: number;
  private readonly optimizer: Sgd | Adam;
  private version = 0;
  /** The native training runs' inputs, reused from batch to batch (run-buffers.ts). */
  private readonly runFeatures = new RunBuffers((n) => new Uint16Array(n));
  private readonly runLabels = new RunBuffers((n) => new Int32Array(n));
  private readonly runMultipliers = new RunBuffers((n) => new Float32Array(n));
  private disposed = false;
  private readonly geo: GraphGeometry;
  /** Cells per alignment step of training crops (whole pixels per step), or 0: crops by interpolation matrices. */
  private readonly align: number;

  constructor(
    readonly spec: LearnerSpec,
    readonly store: FeatureStore,
    readonly head: HeadParams,
    readonly train: SegTrainSettings,
    readonly height: number,
    readonly width: number,
  ) {
    this.numClasses = head.config.classes;
    const { gridH, gridW, channels } = store.dims;
    if (channels !== head.config.inputs) throw new RangeError(`head takes ${head.config.inputs} inputs; the features have ${channels} channels`);
    this.geo = { gridH, gridW, height, width };
    const whole = (v: number) => Math.abs(v - Math.round(v)) < 1e-9;
    this.align = [1, 2, 3, 4].find((a) => whole((a * height) / gridH) && whole((a * width) / gridW)) ?? 0;
    this.optimizer = train.optimizer === 'adam' ? new Adam(head.variables, train) : new Sgd(head.variables, train);
  }

  static create(spec: LearnerSpec, store: FeatureStore, config: HeadConfig, train: SegTrainSettings, height: number, width: number, rng: Rng): FrozenEncoderLearner {
    return new FrozenEncoderLearner(spec, store, initHead(config, rng), train, height, width);
  }

  get weightsVersion(): number {
    return this.version;
  }

  /** The head on the window's cells (2 FLOP a weight) and the upsampling of its logits (4 multiply-adds per pixel and class, with the argmax or softmax). */
  get profile() {
    const { gridH, gridW, channels } = this.store.dims;
    const { inputs: F, hidden: Hd, classes: C } = this.head.config;
    return {
      forwardGflop: (h = this.height, w = this.width) => {
        const cells = Math.min(gridH * gridW, Math.ceil((h * gridH) / this.height) * Math.ceil((w * gridW) / this.width));
        return (2 * cells * (Hd > 0 ? F * Hd + Hd * C : F * C) + h * w * C * 8) / 1e9;
      },
      describe: { features: { dim: channels, grid: [gridH, gridW] as const }, head: { hidden: Hd } },
    };
  }

  /** A linear head's input is the frozen hypercolumn itself: it never changes. */
  get fixedEmbeddings(): boolean {
    return this.head.config.hidden === 0;
  }

  /**
   * Native gradients (native-train.ts) when the training engine is `ort` and crops align with the
   * feature grid; else tfjs autodiff, the reference. Their sums run in another order, so the two
   * engines' trajectories drift apart at rounding level: records say which one ran.
   */
  get trainingEngine(): 'tfjs' | 'ort' {
    return nativeTraining() && this.align ? 'ort' : 'tfjs';
  }

  private get cells(): number {
    return this.geo.gridH * this.geo.gridW;
  }

  /** Float32 hypercolumns [B·cells, F] of whole images (tfjs path). */
  private featureTensor(images: readonly SegSample[]): tf.Tensor2D {
    const F = this.head.config.inputs;
    const n = this.cells * F;
    const out = new Float32Array(images.length * n);
    images.forEach((s, i) => decodeHalf(this.store.view(s), out.subarray(i * n, (i + 1) * n)));
    return tf.tensor2d(out, [images.length * this.cells, F]);
  }

  /** Logits upsampled to image pixels [B, H, W, C] (tfjs path). */
  private upsampled(images: readonly SegSample[], multiplier?: tf.Tensor): tf.Tensor4D {
    const f = this.featureTensor(images);
    const out = tf.tidy(() => {
      const cellLogits = tf.reshape(headLogits(this.head, f, multiplier), [images.length, this.geo.gridH, this.geo.gridW, this.numClasses]) as tf.Tensor4D;
      return tf.image.resizeBilinear(cellLogits, [this.height, this.width], false, true);
    });
    f.dispose();
    return out;
  }

  // ---- training ----

  /** Decode the cells at grid `rows` × `cols` of one image into `out`, row-major with a row stride of `ww` cells. */
  private copyCells(sample: SegSample, rows: readonly number[], cols: readonly number[], out: Float32Array, ww: number): void {
    const F = this.head.config.inputs, gridW = this.geo.gridW;
    const halves = this.store.view(sample);
    rows.forEach((gi, i) =>
      cols.forEach((gj, j) => {
        const src = (gi * gridW + gj) * F;
        decodeHalf(halves.subarray(src, src + F), out.subarray((i * ww + j) * F, (i * ww + j + 1) * F));
      }),
    );
  }

  /** Copy the h×w label window at (y0, x0) of a full-size label image into `out`. */
  private copyLabels(label: Uint8Array, y0: number, x0: number, h: number, w: number, out: Int32Array): void {
    for (let y = 0; y < h; y++) out.set(label.subarray((y0 + y) * this.width + x0, (y0 + y) * this.width + x0 + w), y * w);
  }

  /** One batch as tensors: window features [B·wh·ww, F], interpolation [B, ch, wh] and [B, ww, cw], labels [B, ch, cw]. */
  private cropTensors(items: readonly TrainItem[]) {
    const { gridH, gridW } = this.geo;
    const F = this.head.config.inputs;
    const crops = items.map((it) => {
      const [ch, cw] = [Math.min(this.train.cropHeight, this.height), Math.min(this.train.cropWidth, this.width)];
      const y0 = Math.max(0, Math.min(this.height - ch, it.anchor![0] - (ch >> 1)));
      const x0 = Math.max(0, Math.min(this.width - cw, it.anchor![1] - (cw >> 1)));
      return { it, y0, x0, ch, cw, ry: axisWeights(gridH, this.height, y0, y0 + ch), rx: axisWeights(gridW, this.width, x0, x0 + cw) };
    });
    const ch = crops[0]!.ch, cw = crops[0]!.cw;
    const wh = Math.max(...crops.map((c) => c.ry.size)), ww = Math.max(...crops.map((c) => c.rx.size));
    const B = crops.length;
    const feats = new Float32Array(B * wh * ww * F);
    const ry = new Float32Array(B * ch * wh), rx = new Float32Array(B * ww * cw);
    const labels = new Int32Array(B * ch * cw);
    crops.forEach((c, b) => {
      const range = (start: number, n: number) => Array.from({ length: n }, (_, k) => start + k);
      this.copyCells(c.it.sample, range(c.ry.start, c.ry.size), range(c.rx.start, c.rx.size), feats.subarray(b * wh * ww * F), ww);
      for (let y = 0; y < ch; y++) for (let i = 0; i < c.ry.size; i++) ry[(b * ch + y) * wh + i] = c.ry.weights[y * c.ry.size + i]!;
      for (let x = 0; x < cw; x++) for (let j = 0; j < c.rx.size; j++) rx[(b * ww + j) * cw + x] = c.rx.weights[x * c.rx.size + j]!;
      this.copyLabels(c.it.label, c.y0, c.x0, ch, cw, labels.subarray(b * ch * cw));
    });
    return {
      B, ch, cw, wh, ww,
      feats: tf.tensor2d(feats, [B * wh * ww, F]),
      ry: tf.tensor3d(ry, [B, ch, wh]),
      rx: tf.tensor3d(rx, [B, ww, cw]),
      labels: tf.tensor3d(labels, [B, ch, cw], 'int32'),
    };
  }

  async trainEpoch(items: readonly TrainItem[], rng: Rng): Promise<number> {
    // nothing supervised: no update (weight decay alone would still move the weights), no draws
    if (!anySupervised(items, this.numClasses)) return 0;
    let total = 0;
    const batches = shuffledBatches(items.length, this.train.batchSize, rng);
    this.version++;
    for (const idx of batches) {
      const batch = Array.from(idx, (i) => items[i]!);
      const seed = rng.seed();
      const native = this.align ? nativeTraining() : null;
      if (native) total += await this.trainNative(native, batch, seed);
      else if (batch.every((it) => it.anchor)) total += this.align ? this.trainAlignedCrops(batch, seed) : this.trainCrops(batch, seed);
      else if (batch.every((it) => !it.anchor)) total += this.trainImages(batch, seed);
      else throw new RangeError('a training batch mixes anchored crops and whole images');
    }
    return batches.length ? total / batches.length : 0;
  }

  /** Channel dropout multipliers [B, 1, F] for a batch, or null without dropout. */
  private dropout(seed: number, B: number): tf.Tensor3D | null {
    const { inputs: F, dropoutRate: rate } = this.head.config;
    return rate > 0 ? tf.tensor3d(dropoutMultiplier(seed, B * F, rate), [B, 1, F]) : null;
  }

  /** Cell logits [B, n, C] of features [B·n, F], with one dropout mask per item. */
  private cellLogits(feats: tf.Tensor2D, B: number, mult: tf.Tensor3D | null): tf.Tensor3D {
    const F = this.head.config.inputs;
    const n = feats.shape[0] / B;
    const x = mult ? (tf.reshape(tf.mul(tf.reshape(feats, [B, n, F]), mult), [B * n, F]) as tf.Tensor2D) : feats;
    return tf.reshape(headLogits(this.head, x), [B, n, this.numClasses]) as tf.Tensor3D;
  }

  /** Whole images: the head on every cell, resizeBilinear (differentiable natively on wasm) to pixels. */
  private trainImages(batch: readonly TrainItem[], seed: number): number {
    const B = batch.length;
    const feats = this.featureTensor(batch.map((it) => it.sample));
    const labels = new Int32Array(B * this.height * this.width);
    batch.forEach((it, b) => labels.set(it.label, b * this.height * this.width));
    const y = tf.tensor3d(labels, [B, this.height, this.width], 'int32');
    const mult = this.dropout(seed, B);
    try {
      return this.optimizer.step(() => {
        const cells = tf.reshape(this.cellLogits(feats, B, mult), [B, this.geo.gridH, this.geo.gridW, this.numClasses]) as tf.Tensor4D;
        return maskedCrossEntropy(upsampleHalfPixel(cells, this.height, this.width), y);
      });
    } finally {
      tf.dispose([feats, y, ...(mult ? [mult] : [])]);
    }
  }

  /**
   * The geometry of an aligned training crop: its cells (a multiple of the alignment step `a`), the
   * window with a margin of one step on each side, the kept pixels and the margin in pixels.
   */
  private alignedCrop() {
    const { gridH, gridW } = this.geo;
    const cellH = this.height / gridH, cellW = this.width / gridW;
    const nH = alignedCells(Math.min(this.train.cropHeight, this.height), cellH, gridH, this.align);
    const nW = alignedCells(Math.min(this.train.cropWidth, this.width), cellW, gridW, this.align);
    return this.alignedWindow(nH, nW);
  }

  /** An aligned block of nH × nW cells (multiples of the alignment step): its window with a margin of one step on each side, its pixels and the margin in pixels. */
  private alignedWindow(nH: number, nW: number) {
    const a = this.align;
    const cellH = this.height / this.geo.gridH, cellW = this.width / this.geo.gridW;
    return { cellH, cellW, nH, nW, wh: nH + 2 * a, ww: nW + 2 * a, kh: Math.round(nH * cellH), kw: Math.round(nW * cellW), mh: Math.round(a * cellH), mw: Math.round(a * cellW) };
  }

  /** First grid row and column of the aligned crop `crop` (this.alignedCrop()) centred on `anchor`. */
  private cropStart(anchor: readonly [number, number], crop: ReturnType<FrozenEncoderLearner['alignedCrop']>): { i0: number; j0: number } {
    const { gridH, gridW } = this.geo;
    const { cellH, cellW, nH, nW } = crop;
    return { i0: alignedStart(anchor[0], cellH, nH, gridH, this.align), j0: alignedStart(anchor[1], cellW, nW, gridW, this.align) };
  }

  /**
   * Anchored crops aligned to the cell grid: the crop is a whole number of cells (a multiple of the
   * alignment step, so its pixel edges are whole), centred on the anchor; its cells plus a margin of
   * one step (edge cells repeated past the image border, as the global upsampling clamps) are
   * upsampled with resizeBilinear and the margin cut off. For the kept pixels this is exactly the
   * upsampling of the whole image (half-pixel centres), at the cost of the crop alone.
   */
  private trainAlignedCrops(batch: readonly TrainItem[], seed: number): number {
    const F = this.head.config.inputs;
    const C = this.numClasses;
    const crop = this.alignedCrop();
    const { cellH, cellW, wh, ww, kh, kw, mh, mw } = crop;
    const B = batch.length;
    const feats = new Float32Array(B * wh * ww * F);
    const labels = new Int32Array(B * kh * kw);
    batch.forEach((it, b) => {
      const { i0, j0 } = this.cropStart(it.anchor!, crop);
      decodeHalf(this.windowHalves(it.sample, i0 - this.align, j0 - this.align, wh, ww), feats.subarray(b * wh * ww * F));
      this.copyLabels(it.label, Math.round(i0 * cellH), Math.round(j0 * cellW), kh, kw, labels.subarray(b * kh * kw));
    });
    const x = tf.tensor2d(feats, [B * wh * ww, F]);
    const y = tf.tensor3d(labels, [B, kh, kw], 'int32');
    const mult = this.dropout(seed, B);
    try {
      return this.optimizer.step(() => {
        const cell = tf.reshape(this.cellLogits(x, B, mult), [B, wh, ww, C]) as tf.Tensor4D;
        return maskedCrossEntropy(upsampleWindow(cell, cellH, cellW, mh, mw, kh, kw), y);
      });
    } finally {
      tf.dispose([x, y, ...(mult ? [mult] : [])]);
    }
  }

  /**
   * One batch on the native engine: each item a window of cells (an aligned crop with its margin, as
   * trainAlignedCrops, or the whole image) run through the cached training graph of its geometry, the
   * gradients summed over items, the optimizer step in tfjs.
   */
  private async trainNative(engine: OrtEngine, batch: readonly TrainItem[], seed: number): Promise<number> {
    const { gridH, gridW } = this.geo;
    const { inputs: F, dropoutRate: rate } = this.head.config;
    const C = this.numClasses;
    const B = batch.length;
    const anchored = batch.every((it) => it.anchor);
    if (!anchored && !batch.every((it) => !it.anchor)) throw new RangeError('a training batch mixes anchored crops and whole images');
    const crop = this.alignedCrop();
    const { cellH, cellW } = crop;
    // whole images run as the tiles that hold a label (tiles.ts); anchored crops as themselves
    const plan = anchored ? null : planTiles({ gridH, gridW, height: this.height, width: this.width, align: this.align }, batch.map((it) => it.label), { headMacsPerCell: 2 * F * (this.head.config.hidden || C), classes: C });
    const tile = plan && !plan.shape.whole ? plan.shape : null;
    const a = this.align;
    const whole = !anchored && !tile;
    const { wh, ww, kh, kw, mh, mw } = anchored ? crop : tile ? this.alignedWindow(tile.nH, tile.nW) : { wh: gridH, ww: gridW, kh: this.height, kw: this.width, mh: 0, mw: 0 };
    const win: TrainWindow = {
      rows: { cells: wh, outputs: Math.round(wh * cellH), o0: mh, o1: mh + kh },
      cols: { cells: ww, outputs: Math.round(ww * cellW), o0: mw, o1: mw + kw },
    };
    const key = await engine.graph(TRAIN_GRAPHS, `head-train/${F}-${this.head.config.hidden}-${C}/${windowKey(win)}`, () => headTrainModel(this.head.config, win));
    const mult = rate > 0 ? dropoutMultiplier(seed, B * F, rate) : new Float32Array(B * F).fill(1);
    // inputs every run reads live in shared memory (sharedCopy)
    const weightFeeds = Object.fromEntries(this.head.variables.map((v, i) => [['w1', 'b1', 'w2', 'b2'][i]!, { data: sharedCopy(v.dataSync() as Float32Array), dims: v.shape }]));
    // one window per anchored item, per labelled tile of a whole image, or per whole image: its item and first cell
    const windows = batch.flatMap((it, b) => {
      if (anchored) {
        const { i0, j0 } = this.cropStart(it.anchor!, crop);
        return [{ b, i0, j0 }];
      }
      return tile ? plan!.tiles[b]!.map(([i0, j0]) => ({ b, i0, j0 })) : plan!.tiles[b]!.length ? [{ b, i0: 0, j0: 0 }] : [];
    });
    if (windows.length === 0) {
      // nothing supervised in this batch: the step still runs, with zero gradients, as a whole image would
      this.optimizer.applyGradients(this.head.variables.map((v) => new Float32Array(v.size)));
      return 0;
    }
    const scale = sharedCopy(new Float32Array(1));
    let supervised = 0;
    // windows run in groups of about RUN_CELLS cells, written straight into each run's inputs: one large
    // product each; a fixed grouping, so the sums are the same whatever the number of threads
    const [n, k] = [wh * ww, kh * kw];
    const group = Math.max(1, Math.floor(RUN_CELLS / n));
    const feeds: Feeds[] = [];
    for (let at = 0; at < windows.length; at += group) {
      const part = windows.slice(at, at + group);
      const T = part.length;
      // a whole image alone reads the store's own view, without a copy
      const run = feeds.length;
      const features = whole && T === 1 ? this.store.view(batch[part[0]!.b]!.sample) : this.runFeatures.take(run, T * n * F);
      const labels = this.runLabels.take(run, T * k);
      const multiplier = this.runMultipliers.take(run, T * F);
      part.forEach(({ b, i0, j0 }, t) => {
        const it = batch[b]!;
        const out = labels.subarray(t * k, (t + 1) * k);
        if (whole) {
          if (T > 1) features.set(this.store.view(it.sample), t * n * F);
          out.set(it.label);
        } else {
          this.windowHalves(it.sample, i0 - a, j0 - a, wh, ww, features.subarray(t * n * F, (t + 1) * n * F));
          this.copyLabels(it.label, Math.round(i0 * cellH), Math.round(j0 * cellW), kh, kw, out);
        }
        for (const l of out) if (l < C) supervised++;
        multiplier.set(mult.subarray(b * F, (b + 1) * F), t * F);
      });
      feeds.push({
        features: { data: features, dims: [T, n, F] },
        multiplier: { data: multiplier, dims: [T, 1, F] },
        labels: { data: labels, dims: [T, kh, kw] },
        scale: { data: scale, dims: [] },
        ...weightFeeds,
      });
    }
    scale[0] = 1 / Math.max(supervised, 1);
    const sums = await engine.sumEach(key, feeds);
    this.optimizer.applyGradients(this.head.variables.map((_, i) => sums[`g${i}`]!));
    return sums.loss![0]!;
  }

  /** float16 cells of a wh×ww window starting at grid (i0, j0), cells past the border clamped to the edge (as the upsampling clamps), into `out` (or a new array). */
  private windowHalves(sample: SegSample, i0: number, j0: number, wh: number, ww: number, out: Uint16Array<ArrayBufferLike> = new Uint16Array(wh * ww * this.head.config.inputs)): Uint16Array<ArrayBufferLike> {
    const F = this.head.config.inputs, { gridH, gridW } = this.geo;
    const halves = this.store.view(sample);
    // the window's columns inside the grid are one contiguous run of each row: one copy per row
    const in0 = Math.max(0, j0), in1 = Math.min(gridW, j0 + ww);
    for (let i = 0; i < wh; i++) {
      const row = Math.min(gridH - 1, Math.max(0, i0 + i)) * gridW;
      if (in1 > in0) out.set(halves.subarray((row + in0) * F, (row + in1) * F), (i * ww + in0 - j0) * F);
      for (let j = 0; j < ww; j++) {
        const gj = j0 + j;
        if (gj >= in0 && gj < in1) continue;
        const src = (row + Math.min(gridW - 1, Math.max(0, gj))) * F;
        out.set(halves.subarray(src, src + F), (i * ww + j) * F);
      }
    }
    return out;
  }

  /** Anchored crops: the head on each crop's window of cells, upsampled by the window's interpolation matrices. */
  private trainCrops(batch: readonly TrainItem[], seed: number): number {
    const C = this.numClasses;
    const t = this.cropTensors(batch);
    const mult = this.dropout(seed, t.B);
    try {
      return this.optimizer.step(() => {
        const cell = tf.reshape(this.cellLogits(t.feats, t.B, mult), [t.B, t.wh, t.ww * C]);
        // rows: [B, ch, ww·C] → columns: [B, ch·C, ww] · [B, ww, cw]
        const rows = tf.reshape(tf.matMul(t.ry, cell), [t.B, t.ch, t.ww, C]);
        const cols = tf.matMul(tf.reshape(tf.transpose(rows, [0, 1, 3, 2]), [t.B, t.ch * C, t.ww]), t.rx);
        const logits = tf.transpose(tf.reshape(cols, [t.B, t.ch, C, t.cw]), [0, 1, 3, 2]) as tf.Tensor4D;
        return maskedCrossEntropy(logits, t.labels);
      });
    } finally {
      tf.dispose([t.feats, t.ry, t.rx, t.labels, ...(mult ? [mult] : [])]);
    }
  }

  // ---- inference ----

  /** One native feed per image: its float16 hypercolumn, a view on the shared store. */
  private feeds(images: readonly SegSample[]): Feeds[] {
    return images.map((s) => ({ hypercolumn: { data: this.store.view(s), dims: [1, this.cells, this.head.config.inputs] } }));
  }

  async probabilities(images: readonly SegSample[]): Promise<tf.Tensor4D> {
    const native = nativeInference();
    if (native) {
      const key = await native.graph(this, 'probs', () => probsModel(this.head, this.geo));
      const out = await native.eachImage(key, this.feeds(images));
      return tf.tensor4d(out.probs as Float32Array, [images.length, this.height, this.width, this.numClasses]);
    }
    const up = this.upsampled(images);
    const p = tf.softmax(up) as tf.Tensor4D;
    up.dispose();
    return p;
  }

  /** The native graph of the eval-mode head's grid logits for the current weights (labels and counts are read from them). */
  private cellLogitsGraph(native: NonNullable<ReturnType<typeof nativeInference>>): Promise<string> {
    return native.graph(this, 'cell-logits', () => cellLogitsModel(this.head, this.geo));
  }

  /** Eval-mode head logits on the feature grid [B·cells·C] (native when in use, else tfjs). */
  async gridLogits(images: readonly SegSample[]): Promise<Float32Array> {
    const native = nativeInference();
    if (native) {
      return (await native.eachImage(await this.cellLogitsGraph(native), this.feeds(images))).logits as Float32Array;
    }
    const f = this.featureTensor(images);
    const logits = headLogits(this.head, f);
    const out = (await logits.data()) as Float32Array;
    tf.dispose([f, logits]);
    return out;
  }

  /**
   * Argmax of the upsampled logits, read from the cell logits (upsampled-argmax.ts): the same labels
   * as upsampling every pixel's logits, without the full-resolution tensor (up to ties at rounding level).
   */
  async predictLabels(images: readonly SegSample[]): Promise<Int32Array> {
    const logits = await this.gridLogits(images);
    const { gridH, gridW } = this.geo;
    const [C, hw, n] = [this.numClasses, this.height * this.width, this.cells * this.numClasses];
    const out = new Int32Array(images.length * hw);
    images.forEach((_, b) => upsampledArgmax(logits.subarray(b * n, (b + 1) * n), gridH, gridW, C, this.height, this.width, { out, offset: b * hw }));
    return out;
  }

  /** Confusion counts of the eval-mode labels against the images' labels, `batch` images per native call, with no label map. */
  async confusion(images: readonly SegSample[], batch: number): Promise<ConfusionMatrix> {
    const cm = new ConfusionMatrix(this.numClasses);
    const { gridH, gridW } = this.geo;
    const native = nativeInference();
    if (native) {
      // labels and counts on the engine's threads, beside the head's runs: only C×C counts come back
      const counts = await native.confusionEach(await this.cellLogitsGraph(native), this.feeds(images), images.map((s) => s.label), { gh: gridH, gw: gridW, classes: this.numClasses, height: this.height, width: this.width });
      cm.counts.set(counts);
      return cm;
    }
    const n = this.cells * this.numClasses;
    for (let i = 0; i < images.length; i += batch) {
      const part = images.slice(i, i + batch);
      const logits = await this.gridLogits(part);
      part.forEach((s, b) => upsampledArgmax(logits.subarray(b * n, (b + 1) * n), gridH, gridW, this.numClasses, this.height, this.width, { counts: cm.counts, truth: s.label }));
    }
    return cm;
  }

  async reduceProbabilities(images: readonly SegSample[], reduction: ProbabilityReduction): Promise<Record<string, Float32Array> | null> {
    const native = nativeInference();
    if (!native) return null;
    const key = await native.graph(this, `reduce/${reduction.key}`, () => reductionModel(this.head, this.geo, reduction));
    return (await native.eachImage(key, this.feeds(images))) as Record<string, Float32Array>;
  }

  /** T passes, each dropping one seeded mask of head-input channels (the same mask for every image of the call). */
  async mcMoments(images: readonly SegSample[], passes: number, rng: Rng): Promise<McMoments> {
    if (!Number.isInteger(passes) || passes < 2) throw new RangeError(`MC dropout needs at least 2 passes, got ${passes}`);
    const seeds = Array.from({ length: passes }, () => rng.seed());
    const { inputs: F, dropoutRate: rate } = this.head.config;
    if (!(rate > 0)) throw new RangeError(`MC dropout needs a head with dropout > 0 (model.dropout), got ${rate}`);
    const [B, H, W, C] = [images.length, this.height, this.width, this.numClasses];
    const native = nativeInference();
    if (native) {
      const key = await native.graph(this, 'mc', () => mcModel(this.head, this.geo));
      const sumP = new Float32Array(B * H * W * C), sumH = new Float32Array(B * H * W);
      for (let b = 0; b < B; b++) {
        const s = await native.mcPasses(key, this.store.view(images[b]!), [1, this.cells, F], { probs: [1, H, W, C], entropy: [1, H, W] }, seeds, { dims: [F], rate });
        sumP.set(s.sumP, b * H * W * C);
        sumH.set(s.sumH, b * H * W);
      }
      return tf.tidy(() => ({ meanProbs: tf.div(tf.tensor4d(sumP, [B, H, W, C]), passes) as tf.Tensor4D, meanEntropy: tf.div(tf.tensor3d(sumH, [B, H, W]), passes) as tf.Tensor3D }));
    }
    let sumP: tf.Tensor4D = tf.zeros([B, H, W, C]);
    let sumH: tf.Tensor3D = tf.zeros([B, H, W]);
    for (const seed of seeds) {
      const m = tf.tensor1d(dropoutMultiplier(seed, F, rate));
      const up = this.upsampled(images, m);
      const [nextP, nextH] = tf.tidy(() => {
        const p = tf.softmax(up) as tf.Tensor4D;
        const h = tf.neg(tf.sum(tf.mul(p, tf.log(tf.add(p, 1e-10))), -1)) as tf.Tensor3D;
        return [tf.add(sumP, p) as tf.Tensor4D, tf.add(sumH, h) as tf.Tensor3D];
      });
      tf.dispose([m, up, sumP, sumH]);
      sumP = nextP;
      sumH = nextH;
    }
    const out = tf.tidy(() => ({ meanProbs: tf.div(sumP, passes) as tf.Tensor4D, meanEntropy: tf.div(sumH, passes) as tf.Tensor3D }));
    tf.dispose([sumP, sumH]);
    return out;
  }

  async embeddings(images: readonly SegSample[]): Promise<Embeddings> {
    const f = this.featureTensor(images);
    const { gridH, gridW } = this.geo;
    const out = tf.tidy(() => {
      const e = headEmbedding(this.head, f);
      const p = tf.softmax(headLogits(this.head, f));
      return { features: tf.reshape(e, [images.length, gridH, gridW, e.shape[1]]) as tf.Tensor4D, probs: tf.reshape(p, [images.length, gridH, gridW, this.numClasses]) as tf.Tensor4D };
    });
    f.dispose();
    return { ...out, cellH: this.height / gridH, cellW: this.width / gridW };
  }

  // ---- weights ----

  clone(train: Partial<SegTrainSettings> = {}): FrozenEncoderLearner {
    return new FrozenEncoderLearner(this.spec, this.store, cloneHead(this.head), { ...this.train, ...train }, this.height, this.width);
  }

  setLearningRate(lr: number): void {
    this.optimizer.lr = lr;
  }

  copyWeightsFrom(other: SegLearner): void {
    if (!(other instanceof FrozenEncoderLearner)) throw new TypeError(`copyWeightsFrom: expected a ${FROZEN_ENCODER_NAME} learner, got ${other.spec.name}`);
    this.head.variables.forEach((v, i) => v.assign(other.head.variables[i]!));
    this.version++;
  }

  blendWeightsFrom(other: SegLearner, keep: number): void {
    if (!(other instanceof FrozenEncoderLearner)) throw new TypeError(`blendWeightsFrom: expected a ${FROZEN_ENCODER_NAME} learner, got ${other.spec.name}`);
    blendVariables(this.head.variables, other.head.variables, keep);
    this.version++;
  }

  saveState(): State {
    return { weightsVersion: this.version, tensors: [...this.head.variables, ...this.optimizer.state()].map((v) => v.clone()), steps: this.optimizer instanceof Adam ? this.optimizer.steps : 0 };
  }

  restore(state: LearnerState): void {
    const s = state as State;
    [...this.head.variables, ...this.optimizer.state()].forEach((v, i) => v.assign(s.tensors[i]!));
    if (this.optimizer instanceof Adam) this.optimizer.steps = s.steps;
    this.version++;
  }

  disposeState(state: LearnerState): void {
    tf.dispose((state as State).tensors);
  }

  async save(dir: string): Promise<void> {
    const tensors: tf.NamedTensorMap = Object.fromEntries(this.head.variables.map((v, i) => [`head/${i}`, v]));
    await saveTensors(dir, FORMAT, { head: this.head.config, store: this.store.key, height: this.height, width: this.width }, tensors, { spec: this.spec as unknown as Record<string, {}> });
  }

  /** A head saved by `save`, on `store`'s features. */
  static async load(dir: string, spec: LearnerSpec, store: FeatureStore, train: SegTrainSettings, height: number, width: number): Promise<FrozenEncoderLearner> {
    const { topology, tensors } = await loadTensors(dir, FORMAT);
    const topo = topology as { head: HeadConfig; store: string; height: number; width: number };
    const n = topo.head.hidden > 0 ? 4 : 2;
    const vars = Array.from({ length: n }, (_, i) => {
      const t = tensors[`head/${i}`];
      if (!t) throw new DataError(`${dir}/model.json: missing head weights ${i}`);
      if (!(t.dataSync() as Float32Array).every(Number.isFinite)) throw new DataError(`${dir}/weights.bin: head weights ${i} hold NaN or infinite values`);
      const v = tf.variable(t);
      t.dispose();
      return v;
    });
    if (topo.store !== store.key || topo.height !== height || topo.width !== width) {
      tf.dispose(vars);
      throw new DataError(`${dir}: a head for features ${topo.store} at ${topo.height}×${topo.width}, not ${store.key} at ${height}×${width}`);
    }
    return new FrozenEncoderLearner(spec, store, { config: topo.head, variables: vars }, train, height, width);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    releaseNative(this);
    this.optimizer.dispose();
    tf.dispose(this.head.variables as tf.Variable[]);
  }
}
