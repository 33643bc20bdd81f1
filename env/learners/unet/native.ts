/**
 * UNet-S on the native engine: the graphs this learner builds from its own weights (trunk, eval-mode
 * labels, a fused probability reduction, the MC-dropout head) and the per-image feeds they take.
 * Each graph is a second definition of part of net.ts, held equal to it by test/ort-trunk.test.ts.
 */
import type { OrtEngine } from '../../../compute/ort/engine.ts';
import type { Feeds } from '../../../compute/ort/host.ts';
import { GraphBuilder, encodeModel, int, valueInfo } from '../../../compute/ort/graph.ts';
import type { ProbabilityReduction } from '../learner.ts';
import type { UNetParams } from './net.ts';
import { TO_NHWC, nhwcClassifierGraph, trunkGraph } from './onnx-unet.ts';
import { mcHeadOnnxModel } from './onnx-mc-head.ts';
import { predictOnnxModel, trunkOnnxModel } from './onnx-trunk.ts';

/** What the graphs are built from: the weights, the image size and the weights' version. */
export interface UNetSource {
  readonly params: UNetParams;
  readonly height: number;
  readonly width: number;
  readonly weightsVersion: number;
}

/** One feed set per image of normalised NHWC pixels (copies: a worker takes whole buffers). */
function imageFeeds(src: UNetSource, pixels: Float32Array, batch: number): Feeds[] {
  const n = src.height * src.width * 3;
  return Array.from({ length: batch }, (_, b) => ({ x: { data: pixels.slice(b * n, (b + 1) * n), dims: [1, src.height, src.width, 3] } }));
}

/** Trunk features, NHWC [batch, H, W, F] as one Float32Array. */
export async function nativeTrunk(engine: OrtEngine, src: UNetSource, pixels: Float32Array, batch: number): Promise<Float32Array> {
  const key = await engine.graph(src, 'trunk', () => trunkOnnxModel(src.params, src.height, src.width));
  return (await engine.eachImage(key, imageFeeds(src, pixels, batch))).features as Float32Array;
}

/** Eval-mode labels [batch·H·W]: the whole net and the argmax run natively. */
export async function nativeLabels(engine: OrtEngine, src: UNetSource, pixels: Float32Array, batch: number): Promise<Int32Array> {
  const key = await engine.graph(src, 'predict', () => predictOnnxModel(src.params, src.height, src.width));
  return (await engine.eachImage(key, imageFeeds(src, pixels, batch))).labels as Int32Array;
}

/** Serialised model: normalised NHWC images → eval-mode probabilities → `r`'s outputs. */
function reductionModel(p: UNetParams, height: number, width: number, r: ProbabilityReduction): Uint8Array {
  const g = new GraphBuilder();
  // channels last from here: softmax and the reductions over classes run along contiguous memory
  const logits = nhwcClassifierGraph(g, p, g.op('Transpose', [trunkGraph(g, p, height, width, 'x').features], TO_NHWC));
  r.build(g, g.op('Softmax', [logits], [int('axis', -1)]));
  return encodeModel({ name: `unet_${r.key}`, node: g.nodes, initializer: g.initializers, input: [valueInfo('x', ['batch', height, width, 3])], output: r.outputs.map((o) => valueInfo(o.name, [...o.dims])) }, r.opset);
}

/** `r` of the eval-mode probabilities of each image, natively; outputs joined in image order. */
export async function nativeReduce(engine: OrtEngine, src: UNetSource, pixels: Float32Array, batch: number, r: ProbabilityReduction): Promise<Record<string, Float32Array>> {
  const key = await engine.graph(src, `reduce/${r.key}`, () => reductionModel(src.params, src.height, src.width, r));
  return (await engine.eachImage(key, imageFeeds(src, pixels, batch))) as Record<string, Float32Array>;
}

/** Sums of probabilities and entropies over MC-dropout head passes (tf.dropout's masks for each seed). */
export async function nativeMcSums(engine: OrtEngine, src: UNetSource, features: Float32Array, dims: [number, number, number, number], seeds: number[]): Promise<{ sumP: Float32Array; sumH: Float32Array }> {
  const key = await engine.graph(src, 'mcHead', () => mcHeadOnnxModel(src.params, src.height, src.width));
  const [B, H, W] = dims;
  const C = src.params.config.numClasses;
  return engine.mcPasses(key, features, dims, { probs: [B, H, W, C], entropy: [B, H, W] }, seeds, { dims, rate: src.params.config.dropoutRate });
}
