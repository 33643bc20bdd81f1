/**
 * UNet-S, the default segmentation net (docs/method.md §7.1): encoder 3→16→16, pool, 16→32→32, pool,
 * 32→64→64; decoder nearest-up ×2 + skip → 32→32, up ×2 + skip → 16→16; dropout 0.5; 1×1 conv to C.
 * 3×3 convs, 'same' padding, ReLU, no batch norm; 118,443 parameters for C = 11.
 *
 * The net is a pure function of an explicit parameter list so that MC-dropout can reuse the trunk
 * (`trunk` once, `head` T times) and every random draw takes a seed from the caller's Rng.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../../core/rng.ts';

export interface ConvSpec {
  readonly name: string;
  readonly k: number;
  readonly cin: number;
  readonly cout: number;
}

export interface UNetConfig {
  readonly numClasses: number;
  /** Encoder widths per level; UNet-S is [16, 32, 64]. */
  readonly widths: readonly number[];
  readonly dropoutRate: number;
}

export const UNET_S: Omit<UNetConfig, 'numClasses'> = { widths: [16, 32, 64], dropoutRate: 0.5 };

/** The conv layers in order, with their shapes. */
export function unetLayerSpecs(cfg: UNetConfig): ConvSpec[] {
  const specs: ConvSpec[] = [];
  let cin = 3;
  cfg.widths.forEach((w, l) => {
    specs.push({ name: `enc${l}a`, k: 3, cin, cout: w }, { name: `enc${l}b`, k: 3, cin: w, cout: w });
    cin = w;
  });
  for (let l = cfg.widths.length - 2; l >= 0; l--) {
    const w = cfg.widths[l]!;
    specs.push({ name: `dec${l}a`, k: 3, cin: cin + w, cout: w }, { name: `dec${l}b`, k: 3, cin: w, cout: w });
    cin = w;
  }
  specs.push({ name: 'classifier', k: 1, cin, cout: cfg.numClasses });
  return specs;
}

export interface UNetParams {
  readonly config: UNetConfig;
  /** kernel [k, k, cin, cout] and bias [cout] per layer, in `unetLayerSpecs` order. */
  readonly layers: readonly { readonly spec: ConvSpec; readonly kernel: tf.Variable; readonly bias: tf.Variable }[];
}

/** He-normal kernels (seeded), zero biases. Variables get engine-unique names (tfjs rejects duplicates). */
export function initUNet(cfg: UNetConfig, rng: Rng): UNetParams {
  const layers = unetLayerSpecs(cfg).map((spec) => {
    const std = Math.sqrt(2 / (spec.k * spec.k * spec.cin));
    const seed = rng.seed();
    // tidy frees the initial values; variables survive tidy.
    const kernel = tf.tidy(() => tf.variable(tf.randomNormal([spec.k, spec.k, spec.cin, spec.cout], 0, std, 'float32', seed)));
    const bias = tf.tidy(() => tf.variable(tf.zeros([spec.cout])));
    return { spec, kernel, bias };
  });
  return { config: cfg, layers };
}

export function trainableVariables(p: UNetParams): tf.Variable[] {
  return p.layers.flatMap((l) => [l.kernel, l.bias]);
}

export function parameterCount(p: UNetParams): number {
  return trainableVariables(p).reduce((n, v) => n + v.size, 0);
}

export function disposeUNet(p: UNetParams): void {
  for (const v of trainableVariables(p)) v.dispose();
}

/** A deep copy with fresh variables (e.g. the model snapshot a benchmark budget trains from). */
export function cloneUNet(p: UNetParams): UNetParams {
  return {
    config: p.config,
    layers: p.layers.map((l) => ({
      spec: l.spec,
      kernel: tf.tidy(() => tf.variable(l.kernel.clone())),
      bias: tf.tidy(() => tf.variable(l.bias.clone())),
    })),
  };
}

/** Copy every weight of `src` into `dst` (same architecture). */
export function assignUNet(dst: UNetParams, src: UNetParams): void {
  dst.layers.forEach((l, i) => {
    l.kernel.assign(src.layers[i]!.kernel);
    l.bias.assign(src.layers[i]!.bias);
  });
}

function conv(x: tf.Tensor4D, layer: UNetParams['layers'][number], relu: boolean): tf.Tensor4D {
  return tf.fused.conv2d({ x, filter: layer.kernel as tf.Tensor4D, strides: 1, pad: 'same', bias: layer.bias, activation: relu ? 'relu' : 'linear' });
}

const IMAGENET_MEAN = [0.485, 0.456, 0.406];
const IMAGENET_STD = [0.229, 0.224, 0.225];
/** Byte → normalised value, per channel: a lookup instead of arithmetic per pixel. */
const NORMALISE_LUT = IMAGENET_MEAN.map((m, c) => Float32Array.from({ length: 256 }, (_, v) => (v / 255 - m) / IMAGENET_STD[c]!));

/** ImageNet mean/std normalisation of interleaved RGB bytes (the paper's input transform). */
export function normalisedPixels(bytes: Uint8Array): Float32Array {
  const out = new Float32Array(bytes.length);
  const [r, g, b] = NORMALISE_LUT as [Float32Array, Float32Array, Float32Array];
  for (let i = 0; i < bytes.length; i += 3) {
    out[i] = r[bytes[i]!]!;
    out[i + 1] = g[bytes[i + 1]!]!;
    out[i + 2] = b[bytes[i + 2]!]!;
  }
  return out;
}

/** Normalised images as float32 [B, H, W, 3]. */
export function normaliseImages(bytes: Uint8Array, batch: number, h: number, w: number): tf.Tensor4D {
  return tf.tensor4d(normalisedPixels(bytes), [batch, h, w, 3]);
}

/** Everything up to the dropout: features [B, H, W, widths[0]]. H and W must be divisible by 2^(levels-1). */
export function trunk(p: UNetParams, x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const levels = p.config.widths.length;
    const L = p.layers;
    const skips: tf.Tensor4D[] = [];
    let h = x;
    let i = 0;
    for (let l = 0; l < levels; l++) {
      if (l > 0) h = tf.maxPool(h, 2, 2, 'valid');
      h = conv(conv(h, L[i]!, true), L[i + 1]!, true);
      i += 2;
      if (l < levels - 1) skips.push(h);
    }
    for (let l = levels - 2; l >= 0; l--) {
      const skip = skips[l]!;
      const up = tf.image.resizeNearestNeighbor(h, [skip.shape[1], skip.shape[2]]);
      h = conv(conv(tf.concat([up, skip], 3), L[i]!, true), L[i + 1]!, true);
      i += 2;
    }
    return h;
  });
}

/**
 * Dropout (only when `dropoutSeed` is given: training and MC-dropout) and the 1×1 classifier.
 * Returns logits [B, H, W, C].
 */
export function head(p: UNetParams, features: tf.Tensor4D, dropoutSeed?: number): tf.Tensor4D {
  return tf.tidy(() => {
    const f = dropoutSeed === undefined || p.config.dropoutRate === 0 ? features : tf.dropout(features, p.config.dropoutRate, undefined, dropoutSeed);
    return conv(f as tf.Tensor4D, p.layers[p.layers.length - 1]!, false);
  });
}

/** Logits [B, H, W, C]. Dropout is active only when a seed is given. */
export function forward(p: UNetParams, x: tf.Tensor4D, dropoutSeed?: number): tf.Tensor4D {
  return tf.tidy(() => head(p, trunk(p, x), dropoutSeed));
}

/** Multiply-add count ×2 of one forward pass at H×W (the figure perf reports use). */
export function forwardFlops(cfg: UNetConfig, h: number, w: number): number {
  let flops = 0;
  const specs = unetLayerSpecs(cfg);
  const levels = cfg.widths.length;
  specs.forEach((s, idx) => {
    const level = idx < 2 * levels ? Math.floor(idx / 2) : idx === specs.length - 1 ? 0 : levels - 2 - Math.floor((idx - 2 * levels) / 2);
    const pixels = (h >> level) * (w >> level);
    flops += 2 * s.k * s.k * s.cin * s.cout * pixels;
  });
  return flops;
}
