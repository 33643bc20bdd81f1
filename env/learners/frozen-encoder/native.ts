/**
 * The frozen-encoder head on the native engine: graphs built from the head's current weights that
 * read one image's float16 hypercolumn [1, cells, F] and run the head, the bilinear upsampling to
 * image pixels (ONNX Resize 'linear', 'half_pixel': the same map as tfjs' resizeBilinear with
 * half-pixel centres) and what follows (probabilities or a fused reduction, MC sums); and the head's
 * grid logits alone, from which labels are read (upsampled-argmax.ts).
 * The tfjs path in learner.ts is the reference; test/frozen-encoder.test.ts holds these to it.
 */
import onnxProto from 'onnx-proto';
import { GraphBuilder, encodeModel, int, ints, str, valueInfo } from '../../../compute/ort/graph.ts';
import type { ProbabilityReduction } from '../learner.ts';
import type { HeadParams } from './head.ts';

const onnx = onnxProto.onnx;
const FLOAT16 = onnx.TensorProto.DataType.FLOAT16;

export interface GraphGeometry {
  readonly gridH: number;
  readonly gridW: number;
  readonly height: number;
  readonly width: number;
}

/** Head logits [1, cells, C] on the feature grid from float16 `input` [1, cells, F]; `multiplier` [F] drops input channels. */
function gridLogits(g: GraphBuilder, p: HeadParams, input: string, multiplier?: string): string {
  const data = p.variables.map((v) => Float32Array.from(v.dataSync() as Float32Array));
  const { inputs: F, hidden, classes: C } = p.config;
  let w1 = g.float('w1', [F, hidden || C], data[0]!);
  if (multiplier) w1 = g.op('Mul', [g.op('Unsqueeze', [multiplier, g.int64([1])]), w1]); // diag(m)·W: drops inputs for every cell at once
  let h = g.op('Add', [g.op('MatMul', [g.op('Cast', [input], [int('to', onnx.TensorProto.DataType.FLOAT)]), w1]), g.float('b1', [hidden || C], data[1]!)]);
  if (hidden > 0) h = g.op('Add', [g.op('MatMul', [g.op('Relu', [h]), g.float('w2', [hidden, C], data[2]!)]), g.float('b2', [C], data[3]!)]);
  return h;
}

/** Eval-mode head logits on the feature grid [1, cells, C] (labels come from them: upsampled-argmax.ts). */
export function cellLogitsModel(p: HeadParams, geo: GraphGeometry): Uint8Array {
  const g = new GraphBuilder();
  g.op('Identity', [gridLogits(g, p, INPUT)], [], 'logits');
  return encodeModel({ name: 'head_cell_logits', node: g.nodes, initializer: g.initializers, input: [featuresInput(p, geo)], output: [valueInfo('logits', [1, geo.gridH * geo.gridW, p.config.classes])] });
}

/** Logits [1, C, H, W] at image resolution from float16 `input` [1, cells, F]; `multiplier` [F] drops input channels. */
function upsampledLogits(g: GraphBuilder, p: HeadParams, geo: GraphGeometry, input: string, multiplier?: string): string {
  const C = p.config.classes;
  const h = gridLogits(g, p, input, multiplier);
  const grid = g.op('Transpose', [g.op('Reshape', [h, g.int64([1, geo.gridH, geo.gridW, C])])], [ints('perm', [0, 3, 1, 2])]);
  return g.op('Resize', [grid, '', '', g.int64([1, C, geo.height, geo.width])], [str('mode', 'linear'), str('coordinate_transformation_mode', 'half_pixel')]);
}

/** The graphs' input: one image's hypercolumn ('features' in the MC graph, as the engine's MC passes feed it). */
const INPUT = 'hypercolumn';
function featuresInput(p: HeadParams, geo: GraphGeometry, name = INPUT) {
  return valueInfo(name, [1, geo.gridH * geo.gridW, p.config.inputs], FLOAT16);
}

function probs(g: GraphBuilder, p: HeadParams, geo: GraphGeometry, input: string, multiplier?: string): string {
  return g.op('Softmax', [g.op('Transpose', [upsampledLogits(g, p, geo, input, multiplier)], [ints('perm', [0, 2, 3, 1])])], [int('axis', -1)]);
}

/** Eval-mode probabilities [1, H, W, C]. */
export function probsModel(p: HeadParams, geo: GraphGeometry): Uint8Array {
  const g = new GraphBuilder();
  g.op('Identity', [probs(g, p, geo, INPUT)], [], 'probs');
  return encodeModel({ name: 'head_probs', node: g.nodes, initializer: g.initializers, input: [featuresInput(p, geo)], output: [valueInfo('probs', [1, geo.height, geo.width, p.config.classes])] });
}

/** `r` of the eval-mode probabilities. */
export function reductionModel(p: HeadParams, geo: GraphGeometry, r: ProbabilityReduction): Uint8Array {
  const g = new GraphBuilder();
  r.build(g, probs(g, p, geo, INPUT));
  return encodeModel({ name: `head_${r.key}`, node: g.nodes, initializer: g.initializers, input: [featuresInput(p, geo)], output: r.outputs.map((o) => valueInfo(o.name, [...o.dims])) }, r.opset);
}

/** One accumulating MC-dropout pass: sumP' = sumP + p, sumH' = sumH + H(p) (ε = 1e-10 in the log). */
export function mcModel(p: HeadParams, geo: GraphGeometry): Uint8Array {
  const g = new GraphBuilder();
  const prob = probs(g, p, geo, 'features', 'multiplier');
  const plogp = g.op('Mul', [prob, g.op('Log', [g.op('Add', [prob, g.floats([], [1e-10])])])]);
  g.op('Add', ['sumP', prob], [], 'sumP_out');
  g.op('Sub', ['sumH', g.op('ReduceSum', [plogp, g.int64([-1])], [int('keepdims', 0)])], [], 'sumH_out');
  const { height: H, width: W } = geo;
  const C = p.config.classes;
  return encodeModel({
    name: 'head_mc',
    node: g.nodes,
    initializer: g.initializers,
    input: [featuresInput(p, geo, 'features'), valueInfo('multiplier', [p.config.inputs]), valueInfo('sumP', [1, H, W, C]), valueInfo('sumH', [1, H, W])],
    output: [valueInfo('sumP_out', [1, H, W, C]), valueInfo('sumH_out', [1, H, W])],
  });
}
