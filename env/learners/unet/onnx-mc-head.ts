/**
 * One MC-dropout pass of the UNet head as an ONNX graph, accumulating what BALD needs (see
 * `mcDropoutBaldFromTrunk` in env/uncertainty.ts, the reference):
 *
 *   p    = softmax(conv1×1(features · multiplier))        multiplier: tf.dropout's 0 or 1/keep
 *   sumP' = sumP + p,  sumH' = sumH − Σ_c p·log(p + 1e-10)
 *
 * All tensors NHWC like tfjs. The dropout multiplier is an input, made from the caller's seed by
 * dropout-masks.ts exactly as tf.dropout makes it, so both engines use the very same masks.
 */
import type { UNetParams } from './net.ts';
import { GraphBuilder, encodeModel, int, valueInfo } from '../../../compute/ort/graph.ts';
import { nhwcClassifierGraph } from './onnx-unet.ts';

/** Serialised ONNX model of one accumulating MC pass of the head of `p` at height×width. */
export function mcHeadOnnxModel(p: UNetParams, height: number, width: number): Uint8Array {
  const { cin: F, cout: C } = p.layers[p.layers.length - 1]!.spec;
  const g = new GraphBuilder();
  const prob = g.op('Softmax', [nhwcClassifierGraph(g, p, g.op('Mul', ['features', 'multiplier']))], [int('axis', -1)]);
  const plogp = g.op('Mul', [prob, g.op('Log', [g.op('Add', [prob, g.floats([], [1e-10])])])]);
  const negH = g.op('ReduceSum', [plogp, g.int64([-1])], [int('keepdims', 0)]);
  g.op('Add', ['sumP', prob], [], 'sumP_out');
  g.op('Sub', ['sumH', negH], [], 'sumH_out');

  return encodeModel({
    name: 'unet_mc_head',
    node: g.nodes,
    initializer: g.initializers,
    input: [
      valueInfo('features', ['batch', height, width, F]),
      valueInfo('multiplier', ['batch', height, width, F]),
      valueInfo('sumP', ['batch', height, width, C]),
      valueInfo('sumH', ['batch', height, width]),
    ],
    output: [valueInfo('sumP_out', ['batch', height, width, C]), valueInfo('sumH_out', ['batch', height, width])],
  });
}
