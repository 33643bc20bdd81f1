/**
 * Bilinear upsampling with half-pixel centres whose gradient is the true adjoint. tfjs' forward
 * resizeBilinear honours halfPixelCenters, but its gradient kernel (ResizeBilinearGrad, wasm and
 * cpu in tfjs 4.22) reads alignCorners only: it spreads each pixel's gradient over cells as if the
 * centres were not shifted, half a cell off. Training through it moved the head along a gradient of
 * a different upsampling than the one the loss measured. Here the forward pass stays resizeBilinear
 * (fast, exact) and the backward pass is Ryᵀ · dy · Rx with the interpolation matrices of interp.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { denseAxisWeights } from './interp.ts';

const matrices = new Map<string, Float32Array>();

/** Dense [outputs, inputs] interpolation matrix of one axis (cached: a handful of geometries per run). */
function axisMatrix(inp: number, out: number): Float32Array {
  const key = `${inp}>${out}`;
  let m = matrices.get(key);
  if (!m) matrices.set(key, (m = denseAxisWeights(inp, out)));
  return m;
}

/** The adjoint of upsampling [B, h, w, C] → [B, H, W, C]: dy [B, H, W, C] → [B, h, w, C]. */
export function upsampleAdjoint(dy: tf.Tensor4D, h: number, w: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [B, H, W, C] = dy.shape;
    const ry = tf.tensor2d(axisMatrix(h, H), [H, h]);
    const rx = tf.tensor2d(axisMatrix(w, W), [W, w]);
    const rows = tf.matMul(ry, tf.reshape(tf.transpose(dy, [1, 0, 2, 3]), [H, B * W * C]), true, false); // [h, B·W·C]
    const byCol = tf.reshape(tf.transpose(tf.reshape(rows, [h, B, W, C]), [1, 0, 3, 2]), [B * h * C, W]);
    return tf.transpose(tf.reshape(tf.matMul(byCol, rx), [B, h, C, w]), [0, 1, 3, 2]) as tf.Tensor4D;
  });
}

/** resizeBilinear(x, [H, W], alignCorners false, halfPixelCenters true), differentiable with the true adjoint. */
export function upsampleHalfPixel(x: tf.Tensor4D, H: number, W: number): tf.Tensor4D {
  const [, h, w] = x.shape;
  const op = tf.customGrad(((input: tf.Tensor4D) => ({
    value: tf.image.resizeBilinear(input, [H, W], false, true),
    gradFunc: (dy: tf.Tensor) => upsampleAdjoint(dy as tf.Tensor4D, h, w),
  })) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(x) as tf.Tensor4D;
}
