/**
 * wasm's Tile computes a multi-index per output element (~80 ns each here). The batch-norm gradient
 * tiles a [1, 1, 1, C] row to the whole input (3,840 × 256 in a DQN update: ~160 ms of one update).
 * A tile is block replication: write each input row once, then replicate blocks with `copyWithin`,
 * doubling the copied span each time, from the innermost axis out. Same values (it is a copy),
 * tested against the cpu backend.
 */
import * as tf from '@tensorflow/tfjs';
import { overrideWasmKernel, type TensorInfo, type WasmHeapBackend } from './wasm-kernel-util.ts';

type Numeric = ReturnType<WasmHeapBackend['typedArrayFromHeap']>;

/** Fill `count` copies of the `len` elements at `at` (the first copy already there), doubling. */
function replicate(a: Numeric, at: number, len: number, count: number): void {
  for (let filled = 1; filled < count; ) {
    const n = Math.min(filled, count - filled);
    a.copyWithin(at + filled * len, at, at + n * len);
    filled += n;
  }
}

function tileInto(backend: WasmHeapBackend, x: TensorInfo, reps: number[]): TensorInfo {
  const rank = x.shape.length;
  const outShape = x.shape.map((s, d) => s * reps[d]!);
  const out = backend.makeOutput(outShape, x.dtype);
  const src = backend.typedArrayFromHeap(x);
  const dst = backend.typedArrayFromHeap(out);
  if (dst.length === 0) return out;
  if (rank === 0) {
    dst[0] = src[0]!;
    return out;
  }
  const outStride = new Array<number>(rank);
  outStride[rank - 1] = 1;
  for (let d = rank - 2; d >= 0; d--) outStride[d] = outStride[d + 1]! * outShape[d + 1]!;
  const row = x.shape[rank - 1]!;
  const rows = src.length / row;
  // 1. each input row to its place in the first replica of every outer axis, repeated along the last axis
  const idx = new Array<number>(rank - 1).fill(0);
  for (let r = 0; r < rows; r++) {
    let at = 0;
    for (let d = 0; d < rank - 1; d++) at += idx[d]! * outStride[d]!;
    dst.set(src.subarray(r * row, (r + 1) * row), at);
    replicate(dst, at, row, reps[rank - 1]!);
    for (let d = rank - 2; d >= 0; d--) {
      if (++idx[d]! < x.shape[d]!) break;
      idx[d] = 0;
    }
  }
  // 2. from the innermost outer axis out: replicate each filled block reps[d] times
  for (let d = rank - 2; d >= 0; d--) {
    if (reps[d] === 1) continue;
    const len = x.shape[d]! * outStride[d]!;
    const prefix = new Array<number>(d).fill(0);
    const blocks = prefix.reduce((n, _, k) => n * x.shape[k]!, 1);
    for (let b = 0; b < blocks; b++) {
      let at = 0;
      for (let k = 0; k < d; k++) at += prefix[k]! * outStride[k]!;
      replicate(dst, at, len, reps[d]!);
      for (let k = d - 1; k >= 0; k--) {
        if (++prefix[k]! < x.shape[k]!) break;
        prefix[k] = 0;
      }
    }
  }
  return out;
}

let registered = false;

/** Replace wasm's Tile (idempotent). Strings keep the stock kernel. */
export function registerWasmTile(): void {
  if (registered) return;
  registered = true;
  overrideWasmKernel('Tile', (args, stock) => {
    const { x } = args.inputs as unknown as { x: TensorInfo };
    if (x.dtype === 'string' || x.dtype === 'complex64') return stock.kernelFunc(args);
    const { reps } = args.attrs as unknown as { reps: number[] };
    return tileInto(args.backend as unknown as WasmHeapBackend, x, reps);
  });
}
