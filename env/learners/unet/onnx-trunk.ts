/**
 * The trunk features and eval-mode prediction graphs for the native engine. The ONNX net is a second
 * definition of UNet-S: test/ort-trunk.test.ts keeps it equal to the tfjs reference on random
 * weights and images. Input `x` and the outputs are NHWC like tfjs.
 */
import onnxProto from 'onnx-proto';
import type { UNetParams } from './net.ts';
import { GraphBuilder, encodeModel, int, valueInfo } from '../../../compute/ort/graph.ts';
import { TO_NHWC, classifierGraph, trunkGraph } from './onnx-unet.ts';

const onnx = onnxProto.onnx;

/** Serialised ONNX model of the trunk: normalised NHWC images → features [B, H, W, F] (NHWC). */
export function trunkOnnxModel(p: UNetParams, height: number, width: number): Uint8Array {
  const g = new GraphBuilder();
  g.op('Transpose', [trunkGraph(g, p, height, width, 'x').features], TO_NHWC, 'features');
  return encodeModel({
    name: 'unet_features',
    node: g.nodes,
    initializer: g.initializers,
    input: [valueInfo('x', ['batch', height, width, 3])],
    output: [valueInfo('features', ['batch', height, width, p.config.widths[0]!])],
  });
}

/**
 * Serialised ONNX model of the eval-mode prediction: normalised NHWC images → labels [B, H, W]
 * (int32: reading int64 back into JS costs a BigInt conversion per pixel; ties go to the lowest
 * class, as tf.argMax).
 */
export function predictOnnxModel(p: UNetParams, height: number, width: number): Uint8Array {
  const g = new GraphBuilder();
  const logits = classifierGraph(g, p, trunkGraph(g, p, height, width, 'x').features);
  const argmax = g.op('ArgMax', [logits], [int('axis', 1), int('keepdims', 0)]);
  g.op('Cast', [argmax], [int('to', onnx.TensorProto.DataType.INT32)], 'labels');
  return encodeModel({
    name: 'unet_labels',
    node: g.nodes,
    initializer: g.initializers,
    input: [valueInfo('x', ['batch', height, width, 3])],
    output: [valueInfo('labels', ['batch', height, width], onnx.TensorProto.DataType.INT32)],
  });
}
