/**
 * One MC-dropout pass of the UNet head as an ONNX graph, accumulating what BALD needs (see
 * `mcDropoutBaldFromTrunk` in env/uncertainty.ts, the reference):
 *
 *   p    = softmax(conv1×1(features · multiplier))        multiplier: tf.dropout's 0 or 1/keep
 *   sumP' = sumP + p,  sumH' = sumH − Σ_c p·log(p + 1e-10)
 *
 * All tensors NHWC like tfjs. The dropout multiplier is an input, made by tfjs from the caller's seed,
 * so both engines use the very same masks.
 */
import onnxProto from 'onnx-proto';
import type { onnx as P } from 'onnx-proto';
import type { UNetParams } from './unet.ts';
import { encodeModel, floatTensor, int, valueInfo } from './onnx-util.ts';

const onnx = onnxProto.onnx;

/** Serialised ONNX model of one accumulating MC pass of the head of `p` at height×width. */
export function mcHeadOnnxModel(p: UNetParams, height: number, width: number): Uint8Array {
  const classifier = p.layers[p.layers.length - 1]!;
  const F = classifier.spec.cin;
  const C = classifier.spec.cout;
  const nodes: P.INodeProto[] = [];
  const node = (opType: string, input: string[], output: string, attribute: P.IAttributeProto[] = []) => {
    nodes.push({ opType, input, output: [output], attribute, name: output });
    return output;
  };
  const x = node('Mul', ['features', 'multiplier'], 'dropped');
  // the 1×1 convolution on NHWC is a matmul over the channel axis ([F, C] = the kernel's [1, 1, F, C])
  const logits = node('Add', [node('MatMul', [x, 'W'], 'xw'), 'b'], 'logits');
  const prob = node('Softmax', [logits], 'p', [int('axis', -1)]);
  const plogp = node('Mul', [prob, node('Log', [node('Add', [prob, 'eps'], 'p_eps')], 'logp')], 'plogp');
  const negH = node('ReduceSum', [plogp, 'last_axis'], 'neg_h', [int('keepdims', 0)]);
  node('Add', ['sumP', prob], 'sumP_out');
  node('Sub', ['sumH', negH], 'sumH_out');

  return encodeModel({
    name: 'unet_mc_head',
    node: nodes,
    initializer: [
      floatTensor('W', [F, C], Float32Array.from(classifier.kernel.dataSync() as Float32Array)),
      floatTensor('b', [C], Float32Array.from(classifier.bias.dataSync() as Float32Array)),
      floatTensor('eps', [], Float32Array.of(1e-10)),
      { name: 'last_axis', dims: [1], dataType: onnx.TensorProto.DataType.INT64, int64Data: [-1] },
    ],
    input: [
      valueInfo('features', ['batch', height, width, F]),
      valueInfo('multiplier', ['batch', height, width, F]),
      valueInfo('sumP', ['batch', height, width, C]),
      valueInfo('sumH', ['batch', height, width]),
    ],
    output: [valueInfo('sumP_out', ['batch', height, width, C]), valueInfo('sumH_out', ['batch', height, width])],
  });
}
