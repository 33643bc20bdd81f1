/**
 * wasm's Slice (and SplitV, which slices) copies a non-contiguous slice one innermost row at a time
 * with `subarray()` + `set()`, after copying the whole input out of the heap. The gradient of the
 * decoder's channel concat is such a split: 221,184 rows of 16–32 floats for one [24, 96, 96, 48]
 * batch, ~300 ms of allocation churn per SGD step. This override copies in place on the heap, with a
 * plain loop for short rows. Same values (it is a copy), tested against the cpu backend.
 */
import * as tf from '@tensorflow/tfjs';
import { overrideWasmKernel, type TensorInfo, type WasmHeapBackend } from './wasm-kernel-util.ts';

/** Rows at least this long are copied with one `set` (a memmove); shorter ones element by element. */
const BULK_ROW = 64;

function copySlice(backend: WasmHeapBackend, x: TensorInfo, begin: number[], size: number[]): TensorInfo {
  const out = backend.makeOutput(size, x.dtype);
  // views only after makeOutput: a malloc may grow (and so detach) the heap buffer
  const src = backend.typedArrayFromHeap(x);
  const dst = backend.typedArrayFromHeap(out);
  const rank = x.shape.length;
  if (dst.length === 0) return out;
  if (rank === 0) {
    dst[0] = src[0]!;
    return out;
  }
  const strides = new Array<number>(rank);
  strides[rank - 1] = 1;
  for (let d = rank - 2; d >= 0; d--) strides[d] = strides[d + 1]! * x.shape[d + 1]!;
  const row = size[rank - 1]!;
  const rows = dst.length / row;
  const idx = new Array<number>(rank - 1).fill(0); // odometer over the outer dimensions
  let from = 0;
  for (let d = 0; d < rank; d++) from += begin[d]! * strides[d]!;
  for (let r = 0, to = 0; r < rows; r++, to += row) {
    let offset = from;
    for (let d = 0; d < rank - 1; d++) offset += idx[d]! * strides[d]!;
    if (row >= BULK_ROW) dst.set(src.subarray(offset, offset + row), to);
    else for (let i = 0; i < row; i++) dst[to + i] = src[offset + i]!;
    for (let d = rank - 2; d >= 0; d--) {
      if (++idx[d]! < size[d]!) break;
      idx[d] = 0;
    }
  }
  return out;
}

let registered = false;

/** Replace wasm's Slice and SplitV (idempotent). Strings keep the stock kernels. */
export function registerWasmSlice(): void {
  if (registered) return;
  registered = true;
  overrideWasmKernel('Slice', (args, stock) => {
    const { x } = args.inputs as unknown as { x: TensorInfo };
    if (x.dtype === 'string') return stock.kernelFunc(args);
    const { begin, size } = args.attrs as unknown as { begin: number | number[]; size: number | number[] };
    const [b, s] = tf.slice_util.parseSliceParams(x as never, begin, size) as [number[], number[]];
    return copySlice(args.backend as unknown as WasmHeapBackend, x, b, s);
  });
  overrideWasmKernel('SplitV', (args, stock) => {
    const { x } = args.inputs as unknown as { x: TensorInfo };
    if (x.dtype === 'string') return stock.kernelFunc(args);
    const { numOrSizeSplits, axis } = args.attrs as unknown as { numOrSizeSplits: number | number[]; axis: number };
    const ax = tf.util.parseAxisParam(axis, x.shape)[0]!;
    const sizes = tf.backend_util.prepareSplitSize(x as never, numOrSizeSplits, ax);
    const begin = new Array<number>(x.shape.length).fill(0);
    return sizes.map((n) => {
      const size = [...x.shape];
      size[ax] = n;
      const piece = copySlice(args.backend as unknown as WasmHeapBackend, x, [...begin], size);
      begin[ax]! += n;
      return piece;
    });
  });
}
