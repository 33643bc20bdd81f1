/**
 * A running weight average (Polyak / EMA): each `dst` variable moves toward its `src` counterpart,
 * dst ← keep·dst + (1 − keep)·src, in place.
 */
import * as tf from '@tensorflow/tfjs';

export function blendVariables(dst: readonly tf.Variable[], src: readonly tf.Variable[], keep: number): void {
  if (!(keep >= 0 && keep <= 1)) throw new RangeError(`blendVariables: keep must be in [0, 1], got ${keep}`);
  if (dst.length !== src.length) throw new RangeError(`blendVariables: ${dst.length} variables against ${src.length}`);
  dst.forEach((v, i) => {
    const s = src[i]!;
    if (v.shape.join(',') !== s.shape.join(',')) throw new RangeError(`blendVariables: variable ${i} has shape [${v.shape}] against [${s.shape}]`);
    const next = tf.tidy(() => tf.add(tf.mul(v, keep), tf.mul(s, 1 - keep)));
    v.assign(next); // the variable takes a reference to next's data; next itself is ours to free
    next.dispose();
  });
}
