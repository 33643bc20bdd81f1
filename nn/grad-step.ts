/** One optimizer step on a loss: its gradients for `variables` (zeros where it does not depend on one), handed to `update`. */
import * as tf from '@tensorflow/tfjs';

/** Returns the loss value (one scalar read per step). `update` runs inside the same tidy. */
export function gradientStep(variables: readonly tf.Variable[], lossFn: () => tf.Scalar, update: (grads: tf.Tensor[]) => void): number {
  const lossValue = tf.tidy(() => {
    const { value, grads } = tf.variableGrads(lossFn, variables as tf.Variable[]);
    update(variables.map((v) => grads[v.name] ?? tf.zerosLike(v)));
    return value;
  });
  const loss = lossValue.dataSync()[0]!;
  lossValue.dispose();
  return loss;
}
