/** Shared plumbing for kernels that the project implements with ordinary tfjs ops. */
import * as tf from '@tensorflow/tfjs';

export type TensorInfo = { dataId: object; shape: number[]; dtype: tf.DataType };

interface RefCountingBackend {
  incRef(dataId: object): void;
}

/**
 * Run `compute` on tensor views of kernel inputs and hand its result back as a TensorInfo. The views
 * are disposed by tidy, so the inputs get an extra reference first (else their memory is freed).
 */
export function viaOps(backend: unknown, inputs: TensorInfo[], compute: (...ts: tf.Tensor[]) => tf.Tensor): TensorInfo {
  const refs = backend as RefCountingBackend;
  for (const t of inputs) refs.incRef(t.dataId);
  const out = tf.tidy(() => compute(...inputs.map((t) => tf.engine().makeTensorFromTensorInfo(t as never))));
  refs.incRef(out.dataId);
  const info = { dataId: out.dataId, shape: out.shape, dtype: out.dtype };
  out.dispose();
  return info;
}

/** What the kernels that copy on the heap need of the wasm backend. */
export interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): TensorInfo;
  /** A view on the heap: take it after every makeOutput, whose malloc may grow (detach) the heap. */
  typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array | Uint8Array;
}

/**
 * Replace a stock wasm kernel with `kernelFunc`, which gets the stock one to fall back on.
 * Returns false (and changes nothing) when wasm has no such kernel.
 */
export function overrideWasmKernel(name: string, kernelFunc: (args: Parameters<tf.KernelFunc>[0], stock: tf.KernelConfig) => unknown): boolean {
  const stock = tf.getKernel(name, 'wasm');
  if (!stock) return false;
  tf.unregisterKernel(name, 'wasm');
  tf.registerKernel({ ...stock, kernelFunc: (args) => kernelFunc(args, stock) as never });
  return true;
}
