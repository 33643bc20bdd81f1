/**
 * One SGD batch of the frozen-encoder head on the native engine: loss and gradients of the masked
 * cross-entropy of `loss.ts` over bilinearly upsampled head logits, as one ONNX graph per window
 * geometry (the weights are inputs, so a session serves every step). The upsampling is written as the
 * two interpolation matrices of interp.ts (half-pixel centres, as tfjs' resizeBilinear and ONNX
 * Resize), so its backward pass is the same two matrices transposed; the pixel-level softmax, which
 * dominated the tfjs step (Exp and LogSoftmax ~45 % of its kernel time), runs on onnxruntime's
 * vectorised kernels.
 *
 * Inputs: `features` [T, wh·ww, F] float16 (T windows of cells of one geometry, each row-major);
 * `multiplier` [T, 1, F] each window's dropout multiplier (its item's; ones without dropout); `labels`
 * [T, kh, kw] int32 in [0, C], C meaning unsupervised; `scale` = 1 / max(supervised pixels of the whole
 * batch, 1), so runs over the windows of a batch add up to the batch's loss and gradients; the head's
 * weights `w1`, `b1` (and `w2`, `b2`). Outputs: `loss`, `g0` … `g3` in the head's variable order. The
 * head runs as one matrix product over all T windows' cells: a window alone is a few hundred cells, too
 * small a product to run near the machine's speed.
 *
 * Backward rules: d logits = (softmax · supervised − one-hot) · scale at pixels; to cells through
 * Ryᵀ · d · Rx; ReLU passes the gradient where its input is > 0.
 */
import onnxProto from 'onnx-proto';
import { GraphBuilder, encodeModel, int, ints, valueInfo } from '../../../compute/ort/graph.ts';
import type { HeadConfig } from './head.ts';
import { denseAxisWeights } from './interp.ts';

const onnx = onnxProto.onnx;

/** The pixels a window of cells upsamples to: `cells` input cells → the outputs [o0, o1) of `outputs`. */
export interface WindowAxis {
  readonly cells: number;
  readonly outputs: number;
  readonly o0: number;
  readonly o1: number;
}

export interface TrainWindow {
  readonly rows: WindowAxis;
  readonly cols: WindowAxis;
}

/** Dense interpolation matrix [o1 − o0, cells] of one axis. */
export function denseAxis(a: WindowAxis): Float32Array {
  return denseAxisWeights(a.cells, a.outputs, a.o0, a.o1);
}

export function windowKey(w: TrainWindow): string {
  const axis = (a: WindowAxis) => `${a.cells}>${a.outputs}[${a.o0},${a.o1})`;
  return `${axis(w.rows)}x${axis(w.cols)}`;
}

/** Serialised ONNX model of the head's loss and gradients on one window. */
export function headTrainModel(head: HeadConfig, win: TrainWindow): Uint8Array {
  const g = new GraphBuilder();
  const { inputs: F, hidden, classes: C } = head;
  const [wh, ww] = [win.rows.cells, win.cols.cells];
  const [kh, kw] = [win.rows.o1 - win.rows.o0, win.cols.o1 - win.cols.o0];
  const n = wh * ww;
  const ry = denseAxis(win.rows), rx = denseAxis(win.cols);
  const Ry = g.float('Ry', [kh, wh], ry), RyT = g.op('Transpose', [Ry], [ints('perm', [1, 0])]);
  const Rx = g.float('Rx', [kw, ww], rx), RxT = g.op('Transpose', [Rx], [ints('perm', [1, 0])]);

  // forward: dropped input, head on every cell of every window as one product, cells → pixels
  const x = g.op('Reshape', [g.op('Mul', [g.op('Cast', ['features'], [int('to', onnx.TensorProto.DataType.FLOAT)]), 'multiplier']), g.int64([-1, F])]); // [T·n, F]
  const z1 = g.op('Add', [g.op('MatMul', [x, 'w1']), 'b1']);
  const a1 = hidden > 0 ? g.op('Relu', [z1]) : null;
  const cells = a1 ? g.op('Add', [g.op('MatMul', [a1, 'w2']), 'b2']) : z1; // [T·n, C]
  const grid = g.op('Transpose', [g.op('Reshape', [cells, g.int64([-1, wh, ww, C])])], [ints('perm', [0, 3, 1, 2])]); // [T, C, wh, ww]
  const up = g.op('MatMul', [g.op('MatMul', [Ry, grid]), RxT]); // [T, C, kh, kw]
  // log-softmax over classes (axis 1) from elementwise ops and reductions over that axis: onnxruntime's
  // LogSoftmax kernel, with its 11-wide rows, took half the graph's time in either layout
  const z = g.op('Sub', [up, g.op('ReduceMax', [up], [ints('axes', [1]), int('keepdims', 1)])]);
  const e = g.op('Exp', [z]);
  const total = g.op('ReduceSum', [e, g.int64([1])], [int('keepdims', 1)]);
  const logp = g.op('Sub', [z, g.op('Log', [total])]);
  const p = g.op('Div', [e, total]);
  // one-hot [T, C, kh, kw] as labels == class (label C, unsupervised: all zeros)
  const classes = g.op('Cast', [g.int64(Array.from({ length: C }, (_, c) => c))], [int('to', onnx.TensorProto.DataType.INT32)]);
  const onehot = g.op('Cast', [g.op('Equal', [g.op('Unsqueeze', ['labels', g.int64([1])]), g.op('Reshape', [classes, g.int64([1, C, 1, 1])])])], [int('to', onnx.TensorProto.DataType.FLOAT)]);
  g.op('Mul', [g.op('Neg', [g.op('ReduceSum', [g.op('Mul', [onehot, logp])], [int('keepdims', 0)])]), 'scale'], [], 'loss');

  // backward
  const supervised = g.op('ReduceSum', [onehot, g.int64([1])], [int('keepdims', 1)]);
  const dUp = g.op('Mul', [g.op('Sub', [g.op('Mul', [p, supervised]), onehot]), 'scale']); // [T, C, kh, kw]
  const dGrid = g.op('MatMul', [g.op('MatMul', [RyT, dUp]), Rx]); // [T, C, wh, ww]
  const dCells = g.op('Reshape', [g.op('Transpose', [dGrid], [ints('perm', [0, 2, 3, 1])]), g.int64([-1, C])]); // [T·n, C]
  const sum0 = (t: string, out: string) => g.op('ReduceSum', [t, g.int64([0])], [int('keepdims', 0)], out);
  const xT = g.op('Transpose', [x], [ints('perm', [1, 0])]);
  if (a1) {
    g.op('MatMul', [g.op('Transpose', [a1], [ints('perm', [1, 0])]), dCells], [], 'g2');
    sum0(dCells, 'g3');
    const dA = g.op('MatMul', [dCells, g.op('Transpose', ['w2'], [ints('perm', [1, 0])])]);
    const zero = g.floats([], [0]);
    const dZ1 = g.op('Where', [g.op('Greater', [z1, zero]), dA, zero]);
    g.op('MatMul', [xT, dZ1], [], 'g0');
    sum0(dZ1, 'g1');
  } else {
    g.op('MatMul', [xT, dCells], [], 'g0');
    sum0(dCells, 'g1');
  }
  const H1 = hidden || C;
  const weights = [valueInfo('w1', [F, H1]), valueInfo('b1', [H1]), ...(hidden > 0 ? [valueInfo('w2', [hidden, C]), valueInfo('b2', [C])] : [])];
  const grads = [valueInfo('g0', [F, H1]), valueInfo('g1', [H1]), ...(hidden > 0 ? [valueInfo('g2', [hidden, C]), valueInfo('g3', [C])] : [])];
  return encodeModel({
    name: 'head_train_step',
    node: g.nodes,
    initializer: g.initializers,
    input: [valueInfo('features', ['T', n, F], onnx.TensorProto.DataType.FLOAT16), valueInfo('multiplier', ['T', 1, F]), valueInfo('labels', ['T', kh, kw], onnx.TensorProto.DataType.INT32), valueInfo('scale', []), ...weights],
    output: [valueInfo('loss', []), ...grads],
  });
}
