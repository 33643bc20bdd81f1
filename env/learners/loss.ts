/** Masked cross-entropy: pixels labelled `numClasses` (void or not yet labelled) weigh zero. */
import * as tf from '@tensorflow/tfjs';

/**
 * Mean cross-entropy over supervised pixels. logits [B, H, W, C]; labels [B, H, W] int32 in [0, C],
 * where C means "no supervision". Returns 0 (with zero gradient) when no pixel is supervised.
 */
export function maskedCrossEntropy(logits: tf.Tensor4D, labels: tf.Tensor3D): tf.Scalar {
  return tf.tidy(() => {
    const C = logits.shape[3];
    const mask = tf.cast(tf.less(labels, C), 'float32');
    const logp = tf.logSoftmax(logits);
    // oneHot of a value ≥ depth (the ignore value C) is an all-zero row, so ignored pixels contribute nothing
    const picked = tf.sum(tf.mul(logp, tf.oneHot(labels, C)), -1);
    return tf.div(tf.neg(tf.sum(picked)), tf.maximum(tf.sum(mask), 1)) as tf.Scalar;
  });
}
