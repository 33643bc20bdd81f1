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
