/**
 * Convolution gradients for the wasm backend, written as ordinary convolutions so they run on
 * XNNPACK's fast conv kernel:
 * - `Conv2DBackpropFilter` is missing on wasm (tfjs issue #8474), so no conv net trains without it.
 *   dW = correlation of the padded input with dy, batch and channel axes swapped, stride as dilation.
 * - `Conv2DBackpropInput` exists but is a naive loop (~10× slower than a forward conv here). For
 *   stride 1, dx = conv(dy, W rotated 180° with in/out channels swapped). Other strides fall back
 *   to the stock kernel.
 */
import * as tf from '@tensorflow/tfjs';

import { viaOps, type TensorInfo } from './wasm-kernel-util.ts';

type Strides = [number, number] | number;
type Pad = 'valid' | 'same' | number;
type Rounding = 'floor' | 'round' | 'ceil' | undefined;

function isOne(v: Strides | undefined): boolean {
  return v === undefined || v === 1 || (Array.isArray(v) && v[0] === 1 && v[1] === 1);
}

function filterGrad(X: tf.Tensor4D, DY: tf.Tensor4D, info: tf.backend_util.Conv2DInfo): tf.Tensor4D {
  const p = info.padInfo;
  const padded = tf.pad(X, [[0, 0], [p.top, p.bottom], [p.left, p.right], [0, 0]]);
  const g = tf.conv2d(
    tf.transpose(padded, [3, 1, 2, 0]) as tf.Tensor4D, // [Ci, H, W, B]
    tf.transpose(DY, [1, 2, 0, 3]) as tf.Tensor4D, // [Ho, Wo, B, Co]
    1,
    'valid',
    'NHWC',
    [info.strideHeight, info.strideWidth],
  ); // [Ci, kh', kw', Co]
  return tf.transpose(tf.slice(g, [0, 0, 0, 0], [-1, info.filterHeight, info.filterWidth, -1]), [1, 2, 0, 3]);
}

function inputGradStride1(DY: tf.Tensor4D, W: tf.Tensor4D, info: tf.backend_util.Conv2DInfo): tf.Tensor4D {
  const { filterHeight: kh, filterWidth: kw, inHeight, inWidth, outHeight, outWidth } = info;
  const p = info.padInfo;
  const top = kh - 1 - p.top;
  const left = kw - 1 - p.left;
  const bottom = inHeight - outHeight + p.top;
  const right = inWidth - outWidth + p.left;
  const rotated = tf.transpose(tf.reverse(W, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D; // [kh, kw, Co, Ci]
  if (top === bottom && left === right && top === (kh - 1) / 2 && left === (kw - 1) / 2) return tf.conv2d(DY, rotated, 1, 'same');
  const padded = tf.pad(DY, [[0, 0], [top, bottom], [left, right], [0, 0]]) as tf.Tensor4D;
  return tf.conv2d(padded, rotated, 1, 'valid');
}

let registered = false;

/** Register both kernels for wasm (idempotent). Call after the wasm backend is imported. */
export function registerWasmConvGrads(): void {
  if (registered) return;
  registered = true;

  if (!tf.getKernelsForBackend('wasm').some((k) => k.kernelName === 'Conv2DBackpropFilter')) {
    tf.registerKernel({
      kernelName: 'Conv2DBackpropFilter',
      backendName: 'wasm',
      kernelFunc: ({ inputs, backend, attrs }) => {
        const { x, dy } = inputs as unknown as { x: TensorInfo; dy: TensorInfo };
        const a = attrs as unknown as { strides: Strides; pad: Pad; dimRoundingMode: Rounding; filterShape: [number, number, number, number]; dataFormat?: string; dilations?: Strides };
        if (a.dataFormat === 'NCHW') throw new Error('Conv2DBackpropFilter (wasm): only NHWC is supported');
        if (!isOne(a.dilations)) throw new Error(`Conv2DBackpropFilter (wasm): dilations must be 1, got ${JSON.stringify(a.dilations)}`);
        const info = tf.backend_util.computeConv2DInfo(x.shape as never, a.filterShape, a.strides, 1, a.pad as 'same', a.dimRoundingMode, false, 'channelsLast');
        return viaOps(backend, [x, dy], (X, DY) => filterGrad(X as tf.Tensor4D, DY as tf.Tensor4D, info)) as never;
      },
    });
  }

  const stock = tf.getKernel('Conv2DBackpropInput', 'wasm');
  if (stock) {
    tf.unregisterKernel('Conv2DBackpropInput', 'wasm');
    tf.registerKernel({
      ...stock,
      kernelFunc: (args) => {
        const { dy, filter } = args.inputs as unknown as { dy: TensorInfo; filter: TensorInfo };
        const a = args.attrs as unknown as { strides: Strides; pad: Pad; dimRoundingMode: Rounding; inputShape: [number, number, number, number]; dataFormat?: string };
        if (!isOne(a.strides) || a.dataFormat === 'NCHW') return stock.kernelFunc(args);
        const info = tf.backend_util.computeConv2DInfo(a.inputShape, filter.shape as never, 1, 1, a.pad as 'same', a.dimRoundingMode, false, 'channelsLast');
        return viaOps(args.backend, [dy, filter], (DY, W) => inputGradStride1(DY as tf.Tensor4D, W as tf.Tensor4D, info)) as never;
      },
    });
  }
}
