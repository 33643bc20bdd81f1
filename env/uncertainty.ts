/**
 * BALD by MC dropout (ralis-spec.md §8): the trunk runs once, then T dropout passes of the head.
 * Per pixel: BALD = H(mean_t p_t) − mean_t H(p_t) (the mutual information between the prediction and
 * the weights), ε = 1e-10 inside the logs as in the paper; the region score is its mean over pixels.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from './core/rng.ts';
import { head, trunk, type UNetParams } from './learners/unet/net.ts';
import { activeOrt } from '../compute/inference.ts';
import type { TrunkSource } from '../compute/ort/engine.ts';

function entropy(p: tf.Tensor4D): tf.Tensor3D {
  return tf.neg(tf.sum(tf.mul(p, tf.log(tf.add(p, 1e-10))), -1)) as tf.Tensor3D;
}

/** Per-pixel BALD from a stack of MC probability maps [T, B, H, W, C] → [B, H, W]. */
export function baldFromSamples(probs: tf.Tensor5D): tf.Tensor3D {
  return tf.tidy(() => {
    const [T, B, H, W, C] = probs.shape;
    const meanP = tf.mean(probs, 0) as tf.Tensor4D;
    const perPass = entropy(tf.reshape(probs, [T * B, H, W, C]) as tf.Tensor4D);
    const meanH = tf.mean(tf.reshape(perPass, [T, B, H, W]), 0);
    return tf.relu(tf.sub(entropy(meanP), meanH)) as tf.Tensor3D; // ≥ 0 up to rounding
  });
}

/** Per-pixel BALD [B, H, W] of normalised images x, with `passes` seeded dropout passes. */
export function mcDropoutBald(params: UNetParams, x: tf.Tensor4D, passes: number, rng: Rng): tf.Tensor3D {
  return tf.tidy(() => mcDropoutBaldFromTrunk(params, trunk(params, x), passes, rng));
}

function passSeeds(passes: number, rng: Rng): number[] {
  if (!Number.isInteger(passes) || passes < 2) throw new RangeError(`BALD needs at least 2 MC-dropout passes, got ${passes}`);
  return Array.from({ length: passes }, () => rng.seed());
}

/** As `mcDropoutBald`, from the trunk's output (shared with the eval-mode forward of the features). */
export function mcDropoutBaldFromTrunk(params: UNetParams, features: tf.Tensor4D, passes: number, rng: Rng): tf.Tensor3D {
  const seeds = passSeeds(passes, rng);
  return tf.tidy(() => {
    // running sums keep memory at two maps whatever T is
    let sumP: tf.Tensor4D = tf.zeros([...features.shape.slice(0, 3), params.config.numClasses] as [number, number, number, number]);
    let sumH: tf.Tensor3D = tf.zeros(features.shape.slice(0, 3) as [number, number, number]);
    for (const seed of seeds) {
      const [nextP, nextH] = tf.tidy(() => {
        const p = tf.softmax(head(params, features, seed)) as tf.Tensor4D;
        return [tf.add(sumP, p) as tf.Tensor4D, tf.add(sumH, entropy(p)) as tf.Tensor3D];
      });
      sumP.dispose();
      sumH.dispose();
      sumP = nextP;
      sumH = nextH;
    }
    return baldFromSums(sumP, sumH, passes);
  });
}

/** BALD = H(mean p) − mean H(p), from the sums over the passes (clipped at 0 against rounding). Call inside tf.tidy. */
function baldFromSums(sumP: tf.Tensor4D, sumH: tf.Tensor3D, passes: number): tf.Tensor3D {
  return tf.relu(tf.sub(entropy(tf.div(sumP, passes) as tf.Tensor4D), tf.div(sumH, passes))) as tf.Tensor3D;
}

/**
 * `mcDropoutBaldFromTrunk` on the inference engine in use. On `ort` the head passes run natively
 * with tf.dropout's exact multipliers for the same seeds (dropout-masks.ts), so both engines use the
 * same masks and draw the same seeds from `rng`. Caller owns the result.
 */
export async function mcDropoutBaldOnEngine(model: TrunkSource, features: tf.Tensor4D, passes: number, rng: Rng): Promise<tf.Tensor3D> {
  const ort = activeOrt();
  if (!ort) return mcDropoutBaldFromTrunk(model.params, features, passes, rng);
  const seeds = passSeeds(passes, rng);
  const [B, H, W, F] = features.shape;
  const C = model.params.config.numClasses;
  const sums = await ort.mcPasses(model, (await features.data()) as Float32Array, [B, H, W, F], seeds);
  return tf.tidy(() => baldFromSums(tf.tensor4d(sums.sumP, [B, H, W, C]), tf.tensor3d(sums.sumH, [B, H, W]), passes));
}
