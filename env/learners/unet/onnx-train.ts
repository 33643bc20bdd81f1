/**
 * One training step of UNet-S as an ONNX graph: the training-mode forward pass (dropout given as a
 * multiplier), the masked cross-entropy of `loss.ts`, and the backward pass written out by hand, so a
 * native engine computes the gradients tfjs' autodiff computes (test/ort-train.test.ts keeps the
 * two within 1e-4 of each layer's largest). The current weights are graph constants.
 *
 * Inputs, NHWC like tfjs: `x` [B, h, w, 3] normalised pixels; `multiplier` [B, h, w, F] tf.dropout's
 * multipliers; `target` [B, h, w, C] one-hot labels with all-zero rows where a pixel is unsupervised;
 * `scale` = 1 / max(supervised pixels of the whole SGD batch, 1), so runs over parts of a batch add
 * up to the batch's loss and gradients. Outputs: `loss` and, per layer, `<name>/kernel`
 * [k, k, cin, cout] (HWIO, as tfjs) and `<name>/bias` [cout].
 *
 * Backward rules: ReLU passes the gradient where its output is > 0; a 3×3 convolution's input
 * gradient is the convolution of dz with the kernel rotated 180° and in/out swapped; its kernel
 * gradient, per tap (ky, kx), is shifted-inputᵀ · dz over every pixel (one GEMM each); max-pool
 * sends the gradient to the window's maximum (ties only occur at 0, where the ReLU below stops it);
 * nearest ×2 upsampling sums each 2×2 block.
 */
import onnxProto from 'onnx-proto';
import type { UNetParams } from './net.ts';
import { GraphBuilder, encodeModel, int, ints, valueInfo } from '../../../compute/ort/graph.ts';
import { TO_NCHW, TO_NHWC, nhwcClassifierGraph, trunkGraph, upsample2x, type ConvRecord } from './onnx-unet.ts';

const onnx = onnxProto.onnx;

/** 180°-rotated kernel with in/out swapped, as an ONNX weight [cin, cout, k, k]: the input-gradient convolution. */
function flippedOihw(hwio: Float32Array, k: number, cin: number, cout: number): Float32Array {
  const out = new Float32Array(hwio.length);
  for (let y = 0; y < k; y++)
    for (let x = 0; x < k; x++)
      for (let i = 0; i < cin; i++)
        for (let o = 0; o < cout; o++) out[((i * cout + o) * k + (k - 1 - y)) * k + (k - 1 - x)] = hwio[((y * k + x) * cin + i) * cout + o]!;
  return out;
}

function transpose2d(a: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(a.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = a[r * cols + c]!;
  return out;
}

/** Backward of one conv+ReLU: writes its kernel and bias gradients; returns the input gradient unless not needed. */
function convReluBackward(g: GraphBuilder, r: ConvRecord, dOut: string, needInput: boolean): string | null {
  const { name, k, cin, cout } = r.layer.spec;
  const zero = g.floats([], [0]);
  const dz = g.op('Where', [g.op('Greater', [r.output, zero]), dOut, zero]);
  g.op('ReduceSum', [dz, g.int64([0, 2, 3])], [int('keepdims', 0)], `${name}/bias`);
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
  if (!needInput) return null;
  const Wf = g.float(`${name}/Wflip`, [cin, cout, k, k], flippedOihw(r.layer.kernel.dataSync() as Float32Array, k, cin, cout));
  return g.op('Conv', [dz, Wf], [ints('kernel_shape', [k, k]), ints('pads', [pad, pad, pad, pad]), ints('strides', [1, 1])]);
}

/** Serialised ONNX model of one training step (loss and gradients) of `p` on crops of height×width. */
export function trainStepOnnxModel(p: UNetParams, height: number, width: number): Uint8Array {
  const g = new GraphBuilder();
  const L = p.layers;
  const levels = p.config.widths.length;
  const trunk = trunkGraph(g, p, height, width, 'x');

  // head: dropout multiplier and the 1×1 classifier as a matmul over NHWC channels
  const classifier = L[L.length - 1]!;
  const F = classifier.spec.cin;
  const C = classifier.spec.cout;
  const dropped = g.op('Mul', [g.op('Transpose', [trunk.features], TO_NHWC), 'multiplier']);
  const logp = g.op('LogSoftmax', [nhwcClassifierGraph(g, p, dropped)], [int('axis', -1)]);
  // masked cross-entropy, as maskedCrossEntropy: −Σ target · log p · scale
  g.op('Mul', [g.op('Neg', [g.op('ReduceSum', [g.op('Mul', ['target', logp])], [int('keepdims', 0)])]), 'scale'], [], 'loss');

  // d loss / d logits = (softmax · supervised − target) · scale
  const supervised = g.op('ReduceSum', ['target', g.int64([-1])], [int('keepdims', 1)]);
  const dLogits = g.op('Mul', [g.op('Sub', [g.op('Mul', [g.op('Exp', [logp]), supervised]), 'target']), 'scale']);
  const dLogits2d = g.op('Reshape', [dLogits, g.int64([-1, C])]);
  g.op('Reshape', [g.op('Gemm', [g.op('Reshape', [dropped, g.int64([-1, F])]), dLogits2d], [int('transA', 1)]), g.int64([1, 1, F, C])], [], 'classifier/kernel');
  g.op('ReduceSum', [dLogits2d, g.int64([0])], [int('keepdims', 0)], 'classifier/bias');
  const WcT = transpose2d(classifier.kernel.dataSync() as Float32Array, F, C); // kernel [1, 1, F, C] = [F, C]
  let dh = g.op('Transpose', [g.op('Mul', [g.op('MatMul', [dLogits, g.float('classifier/WT', [C, F], WcT)]), 'multiplier'])], TO_NCHW);

  // the trunk backwards: convs in reverse order, splitting skip gradients off the decoder's concats
  const convs = [...trunk.convs];
  const back = (d: string, needInput = true) => convReluBackward(g, convs.pop()!, d, needInput);
  const four = g.floats([], [4]);
  const upsampleBackward = (d: string) => g.op('Mul', [g.op('AveragePool', [d], [ints('kernel_shape', [2, 2]), ints('strides', [2, 2])]), four]);
  const maxPoolBackward = (pool: { input: string; output: string }, d: string) =>
    g.op('Mul', [upsample2x(g, d), g.op('Cast', [g.op('Equal', [pool.input, upsample2x(g, pool.output)])], [int('to', onnx.TensorProto.DataType.FLOAT)])]);
  const dSkips: string[] = [];
  for (let l = 0; l <= levels - 2; l++) {
    const dCat = back(back(dh)!)!;
    const [dUp, dSkip] = g.opN('Split', [dCat, g.int64([p.config.widths[l + 1]!, p.config.widths[l]!])], 2, [int('axis', 1)]) as [string, string];
    dSkips[l] = dSkip;
    dh = upsampleBackward(dUp);
  }
  for (let l = levels - 1; l >= 0; l--) {
    if (l < levels - 1) dh = g.op('Add', [dh, dSkips[l]!]);
    const dIn = back(back(dh)!, l > 0);
    if (l > 0) dh = maxPoolBackward(trunk.pools[l]!, dIn!);
  }

  return encodeModel({
    name: 'unet_train_step',
    node: g.nodes,
    initializer: g.initializers,
    input: [valueInfo('x', ['batch', height, width, 3]), valueInfo('multiplier', ['batch', height, width, F]), valueInfo('target', ['batch', height, width, C]), valueInfo('scale', [])],
    output: [valueInfo('loss', []), ...L.flatMap((l) => [valueInfo(`${l.spec.name}/kernel`, [...l.kernel.shape]), valueInfo(`${l.spec.name}/bias`, [l.spec.cout])])],
  });
}
