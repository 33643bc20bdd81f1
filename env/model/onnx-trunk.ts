/**
 * The UNet trunk (everything before dropout and the 1×1 classifier, see `trunk` in unet.ts) written
 * as an ONNX graph with the current weights as constants, for a native inference engine. The two
 * definitions must agree: test/ort-trunk.test.ts compares them on random weights and images.
 *
 * Input `x` and output `features` are NHWC like tfjs; the graph transposes to ONNX's NCHW once at
 * each end and the runtime's layout optimiser turns the convolutions back into NHWC kernels.
 */
import onnxProto from 'onnx-proto';
import type { onnx as P } from 'onnx-proto';
import type { UNetParams } from './unet.ts';
import { encodeModel, floatTensor, int, ints, str, valueInfo } from './onnx-util.ts';

const onnx = onnxProto.onnx;

/** tfjs kernel [k, k, cin, cout] (HWIO) → ONNX weight [cout, cin, k, k] (OIHW). */
export function hwioToOihw(hwio: Float32Array, k: number, cin: number, cout: number): Float32Array {
  const out = new Float32Array(hwio.length);
  for (let y = 0; y < k; y++)
    for (let x = 0; x < k; x++)
      for (let i = 0; i < cin; i++)
        for (let o = 0; o < cout; o++) out[((o * cin + i) * k + y) * k + x] = hwio[((y * k + x) * cin + i) * cout + o]!;
  return out;
}

type Output = 'features' | 'labels';

/**
 * The trunk of `p` for images of height×width (batch dimension free), ending in either the trunk's
 * features (NHWC) or, with the 1×1 classifier and an argmax over classes, the predicted labels
 * (int32 [batch, H, W]; ties to the lowest class, as tf.argMax).
 */
function unetOnnxModel(p: UNetParams, height: number, width: number, output: Output): Uint8Array {
  const nodes: P.INodeProto[] = [];
  const initializers: P.ITensorProto[] = [];
  let n = 0;
  const fresh = (stem: string) => `${stem}_${n++}`;
  const op = (opType: string, inputs: string[], attribute: P.IAttributeProto[] = []): string => {
    const out = fresh(opType.toLowerCase());
    nodes.push({ opType, input: inputs, output: [out], attribute, name: out });
    return out;
  };
  const conv = (x: string, layer: UNetParams['layers'][number]): string => {
    const { name, k, cin, cout } = layer.spec;
    initializers.push(
      floatTensor(`${name}/W`, [cout, cin, k, k], hwioToOihw(layer.kernel.dataSync() as Float32Array, k, cin, cout)),
      floatTensor(`${name}/b`, [cout], Float32Array.from(layer.bias.dataSync() as Float32Array)),
    );
    const pad = (k - 1) / 2; // 'same' at stride 1
    return op('Conv', [x, `${name}/W`, `${name}/b`], [ints('kernel_shape', [k, k]), ints('pads', [pad, pad, pad, pad]), ints('strides', [1, 1])]);
  };
  const convRelu = (x: string, layer: UNetParams['layers'][number]): string => op('Relu', [conv(x, layer)]);

  initializers.push(floatTensor('up_scales', [4], Float32Array.from([1, 1, 2, 2])));
  const levels = p.config.widths.length;
  const L = p.layers;
  const skips: string[] = [];
  let h = op('Transpose', ['x'], [ints('perm', [0, 3, 1, 2])]);
  let i = 0;
  for (let l = 0; l < levels; l++) {
    if (l > 0) h = op('MaxPool', [h], [ints('kernel_shape', [2, 2]), ints('strides', [2, 2])]);
    h = convRelu(convRelu(h, L[i]!), L[i + 1]!);
    i += 2;
    if (l < levels - 1) skips.push(h);
  }
  for (let l = levels - 2; l >= 0; l--) {
    // tfjs resizeNearestNeighbor (no half-pixel centres): source = floor(target / 2)
    const up = op('Resize', [h, '', 'up_scales'], [str('mode', 'nearest'), str('coordinate_transformation_mode', 'asymmetric'), str('nearest_mode', 'floor')]);
    const cat = op('Concat', [up, skips[l]!], [int('axis', 1)]);
    h = convRelu(convRelu(cat, L[i]!), L[i + 1]!);
    i += 2;
  }
  if (output === 'features') {
    nodes.push({ opType: 'Transpose', input: [h], output: ['features'], attribute: [ints('perm', [0, 2, 3, 1])], name: 'to_nhwc' });
  } else {
    // eval mode: no dropout before the classifier
    // int32 labels: reading int64 back into JS costs a BigInt conversion per pixel
    const argmax = op('ArgMax', [conv(h, L[L.length - 1]!)], [int('axis', 1), int('keepdims', 0)]);
    nodes.push({ opType: 'Cast', input: [argmax], output: ['labels'], attribute: [int('to', onnx.TensorProto.DataType.INT32)], name: 'to_int32' });
  }

  return encodeModel({
    name: `unet_${output}`,
    node: nodes,
    initializer: initializers,
    input: [valueInfo('x', ['batch', height, width, 3])],
    output: [output === 'features' ? valueInfo('features', ['batch', height, width, p.config.widths[0]!]) : valueInfo('labels', ['batch', height, width], onnx.TensorProto.DataType.INT32)],
  });
}

/** Serialised ONNX model of the trunk: normalised NHWC images → features [B, H, W, F] (NHWC). */
export function trunkOnnxModel(p: UNetParams, height: number, width: number): Uint8Array {
  return unetOnnxModel(p, height, width, 'features');
}

/** Serialised ONNX model of the eval-mode prediction: normalised NHWC images → labels [B, H, W] (int32). */
export function predictOnnxModel(p: UNetParams, height: number, width: number): Uint8Array {
  return unetOnnxModel(p, height, width, 'labels');
}
