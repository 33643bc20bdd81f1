/**
 * One training step of UNet-S as an ONNX graph: the training-mode forward pass (dropout given as a
 * multiplier), the masked cross-entropy of `loss.ts`, and the backward pass written out by hand, so a
 * native engine computes the gradients tfjs' autodiff computes (test/ort-train.test.ts keeps the
 * two within 1e-4). The current weights are graph constants (ORT's fast convolution path).
 *
 * Inputs, NHWC like tfjs: `x` [B, h, w, 3] normalised pixels; `multiplier` [B, h, w, F] tf.dropout's
 * multipliers; `target` [B, h, w, C] one-hot labels with all-zero rows where a pixel is unsupervised;
 * `scale` 1 / max(supervised pixels of the whole SGD batch, 1). Outputs: `loss` (scalar) and, per layer, `<name>/kernel` [k, k, cin, cout] and `<name>/bias` [cout].
 *
 * Backward rules: ReLU passes the gradient where its output is > 0; a 3×3 convolution's input
 * gradient is the convolution of dz with the kernel rotated 180° and in/out swapped; its kernel
 * gradient, per tap (ky, kx), is shifted-inputᵀ · dz over every pixel (one GEMM each); max-pool
 * sends the gradient to the window's maximum (ties only occur at 0, where the ReLU below stops it);
 * nearest ×2 upsampling sums each 2×2 block.
 */
import onnxProto from 'onnx-proto';
import type { onnx as P } from 'onnx-proto';
import type { UNetParams } from './unet.ts';
import { encodeModel, floatTensor, int, ints, str, valueInfo } from './onnx-util.ts';
import { hwioToOihw } from './onnx-trunk.ts';

const onnx = onnxProto.onnx;
type Layer = UNetParams['layers'][number];

/** Appends nodes and constants; every op returns the name of its (first) output. */
class GraphBuilder {
  readonly nodes: P.INodeProto[] = [];
  readonly initializers: P.ITensorProto[] = [];
  private n = 0;

  op(opType: string, inputs: string[], attribute: P.IAttributeProto[] = [], output?: string): string {
    const out = output ?? `${opType.toLowerCase()}_${this.n++}`;
    this.nodes.push({ opType, input: inputs, output: [out], attribute, name: out });
    return out;
  }

  opN(opType: string, inputs: string[], outputs: number, attribute: P.IAttributeProto[] = []): string[] {
    const outs = Array.from({ length: outputs }, () => `${opType.toLowerCase()}_${this.n++}`);
    this.nodes.push({ opType, input: inputs, output: outs, attribute, name: outs[0] });
    return outs;
  }

  float(name: string, dims: number[], data: Float32Array): string {
    this.initializers.push(floatTensor(name, dims, data));
    return name;
  }

  int64(values: number[]): string {
    const name = `i64_${this.n++}`;
    this.initializers.push({ name, dims: [values.length], dataType: onnx.TensorProto.DataType.INT64, int64Data: values });
    return name;
  }
}

/** A 3×3 'same' convolution + ReLU as the forward pass ran it: what its backward needs. */
interface ConvRecord {
  readonly layer: Layer;
  /** NCHW input and ReLU output, at h×w. */
  readonly input: string;
  readonly output: string;
  readonly h: number;
  readonly w: number;
}

/** 180°-rotated kernel with in/out swapped, as an ONNX weight [cin, cout, k, k]: the input-gradient convolution. */
function flippedOihw(hwio: Float32Array, k: number, cin: number, cout: number): Float32Array {
  const out = new Float32Array(hwio.length);
  for (let y = 0; y < k; y++)
    for (let x = 0; x < k; x++)
      for (let i = 0; i < cin; i++)
        for (let o = 0; o < cout; o++) out[((i * cout + o) * k + (k - 1 - y)) * k + (k - 1 - x)] = hwio[((y * k + x) * cin + i) * cout + o]!;
  return out;
}

const TO_NHWC = [ints('perm', [0, 2, 3, 1])];
const TO_NCHW = [ints('perm', [0, 3, 1, 2])];

/** Serialised ONNX model of one training step (loss and gradients) of `p` on crops of height×width. */
export function trainStepOnnxModel(p: UNetParams, height: number, width: number): Uint8Array {
  const levels = p.config.widths.length;
  const div = 1 << (levels - 1);
  if (height % div !== 0 || width % div !== 0) throw new RangeError(`crop ${height}×${width} must be divisible by ${div} for a ${levels}-level UNet`);
  const g = new GraphBuilder();
  const L = p.layers;
  const kernels = L.map((l) => l.kernel.dataSync() as Float32Array);

  // ---- forward, training mode ----
  const records: ConvRecord[] = [];
  const convRelu = (input: string, i: number, h: number, w: number): string => {
    const layer = L[i]!;
    const { name, k, cin, cout } = layer.spec;
    const W = g.float(`${name}/W`, [cout, cin, k, k], hwioToOihw(kernels[i]!, k, cin, cout));
    const b = g.float(`${name}/b`, [cout], Float32Array.from(layer.bias.dataSync() as Float32Array));
    const pad = (k - 1) / 2;
    const output = g.op('Relu', [g.op('Conv', [input, W, b], [ints('kernel_shape', [k, k]), ints('pads', [pad, pad, pad, pad]), ints('strides', [1, 1])])]);
    records.push({ layer, input, output, h, w });
    return output;
  };
  g.float('up_scales', [4], Float32Array.from([1, 1, 2, 2]));
  const upsample = (x: string) => g.op('Resize', [x, '', 'up_scales'], [str('mode', 'nearest'), str('coordinate_transformation_mode', 'asymmetric'), str('nearest_mode', 'floor')]);
  const pools: { input: string; output: string }[] = [];
  const skips: string[] = [];
  let h = g.op('Transpose', ['x'], TO_NCHW);
  let i = 0;
  for (let l = 0; l < levels; l++) {
    if (l > 0) {
      const pooled = g.op('MaxPool', [h], [ints('kernel_shape', [2, 2]), ints('strides', [2, 2])]);
      pools[l] = { input: h, output: pooled };
      h = pooled;
    }
    h = convRelu(convRelu(h, i, height >> l, width >> l), i + 1, height >> l, width >> l);
    i += 2;
    if (l < levels - 1) skips.push(h);
  }
  for (let l = levels - 2; l >= 0; l--) {
    h = g.op('Concat', [upsample(h), skips[l]!], [int('axis', 1)]);
    h = convRelu(convRelu(h, i, height >> l, width >> l), i + 1, height >> l, width >> l);
    i += 2;
  }

  // head: dropout multiplier and the 1×1 classifier as a matmul over NHWC channels
  const classifier = L[L.length - 1]!;
  const F = classifier.spec.cin;
  const C = classifier.spec.cout;
  const dropped = g.op('Mul', [g.op('Transpose', [h], TO_NHWC), 'multiplier']);
  const Wc = g.float('classifier/W', [F, C], Float32Array.from(kernels[L.length - 1]!));
  const logits = g.op('Add', [g.op('MatMul', [dropped, Wc]), g.float('classifier/b', [C], Float32Array.from(classifier.bias.dataSync() as Float32Array))]);
  const logp = g.op('LogSoftmax', [logits], [int('axis', -1)]);

  // masked cross-entropy, as maskedCrossEntropy: −Σ target·log p · scale, where scale = 1 / max(#supervised, 1)
  // counts the whole SGD batch, so runs over parts of a batch add up to the batch's loss and gradients
  const lastAxis = g.int64([-1]);
  g.op('Mul', [g.op('Neg', [g.op('ReduceSum', [g.op('Mul', ['target', logp])], [int('keepdims', 0)])]), 'scale'], [], 'loss');

  // ---- backward ----
  const zero = g.float('zero', [], Float32Array.of(0));
  // d loss / d logits = (softmax · supervised − target) · scale
  const supervised = g.op('ReduceSum', ['target', lastAxis], [int('keepdims', 1)]);
  const dLogits = g.op('Mul', [g.op('Sub', [g.op('Mul', [g.op('Exp', [logp]), supervised]), 'target']), 'scale']);
  const dLogits2d = g.op('Reshape', [dLogits, g.int64([-1, C])]);
  g.op('Reshape', [g.op('Gemm', [g.op('Reshape', [dropped, g.int64([-1, F])]), dLogits2d], [int('transA', 1)]), g.int64([1, 1, F, C])], [], 'classifier/kernel');
  g.op('ReduceSum', [dLogits2d, g.int64([0])], [int('keepdims', 0)], 'classifier/bias');
  const WcT = g.float('classifier/WT', [C, F], transpose2d(kernels[L.length - 1]!, F, C));
  let dh = g.op('Transpose', [g.op('Mul', [g.op('MatMul', [dLogits, WcT]), 'multiplier'])], TO_NCHW);

  let next = records.length - 1;
  /** Backward of the next conv+ReLU (in reverse order); returns the input gradient unless `needInput` is false. */
  const convReluBack = (dOut: string, needInput = true): string => {
    const r = records[next--]!;
    const { name, k, cin, cout } = r.layer.spec;
    const dz = g.op('Where', [g.op('Greater', [r.output, zero]), dOut, zero]);
    const dz2d = g.op('Reshape', [g.op('Transpose', [dz], TO_NHWC), g.int64([-1, cout])]);
    const pad = (k - 1) / 2;
    const padded = g.op('Pad', [g.op('Transpose', [r.input], TO_NHWC), g.int64([0, pad, pad, 0, 0, pad, pad, 0])]);
    const taps: string[] = [];
    for (let ky = 0; ky < k; ky++)
      for (let kx = 0; kx < k; kx++) {
        const shifted = g.op('Slice', [padded, g.int64([ky, kx]), g.int64([ky + r.h, kx + r.w]), g.int64([1, 2])]);
        taps.push(g.op('Gemm', [g.op('Reshape', [shifted, g.int64([-1, cin])]), dz2d], [int('transA', 1)]));
      }
    g.op('Reshape', [g.op('Concat', taps, [int('axis', 0)]), g.int64([k, k, cin, cout])], [], `${name}/kernel`);
    g.op('ReduceSum', [dz, nchwSpatial], [int('keepdims', 0)], `${name}/bias`);
    if (!needInput) return '';
    const Wf = g.float(`${name}/Wflip`, [cin, cout, k, k], flippedOihw(kernels[L.indexOf(r.layer)]!, k, cin, cout));
    return g.op('Conv', [dz, Wf], [ints('kernel_shape', [k, k]), ints('pads', [pad, pad, pad, pad]), ints('strides', [1, 1])]);
  };
  const nchwSpatial = g.int64([0, 2, 3]);
  const four = g.float('four', [], Float32Array.of(4));
  const upsampleBack = (d: string) => g.op('Mul', [g.op('AveragePool', [d], [ints('kernel_shape', [2, 2]), ints('strides', [2, 2])]), four]);
  const maxPoolBack = (pool: { input: string; output: string }, d: string) =>
    g.op('Mul', [upsample(d), g.op('Cast', [g.op('Equal', [pool.input, upsample(pool.output)])], [int('to', onnx.TensorProto.DataType.FLOAT)])]);

  const dSkips: string[] = [];
  for (let l = 0; l <= levels - 2; l++) {
    const dCat = convReluBack(convReluBack(dh));
    const [dUp, dSkip] = g.opN('Split', [dCat, g.int64([p.config.widths[l + 1]!, p.config.widths[l]!])], 2, [int('axis', 1)]) as [string, string];
    dSkips[l] = dSkip;
    dh = upsampleBack(dUp);
  }
  for (let l = levels - 1; l >= 0; l--) {
    if (l < levels - 1) dh = g.op('Add', [dh, dSkips[l]!]);
    dh = convReluBack(convReluBack(dh), l > 0);
    if (l > 0) dh = maxPoolBack(pools[l]!, dh);
  }

  return encodeModel({
    name: 'unet_train_step',
    node: g.nodes,
    initializer: g.initializers,
    input: [valueInfo('x', ['batch', height, width, 3]), valueInfo('multiplier', ['batch', height, width, F]), valueInfo('target', ['batch', height, width, C]), valueInfo('scale', [])],
    output: [valueInfo('loss', []), ...L.flatMap((l) => [valueInfo(`${l.spec.name}/kernel`, [...l.kernel.shape]), valueInfo(`${l.spec.name}/bias`, [l.spec.cout])])],
  });
}

function transpose2d(a: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(a.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = a[r * cols + c]!;
  return out;
}
