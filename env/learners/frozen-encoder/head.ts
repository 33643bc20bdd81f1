/**
 * The trainable head on frozen hypercolumns: linear (F → C) or an MLP (F → hidden, ReLU → C), with
 * dropout on the head's input as one mask over channels per image (so an MC-dropout pass is a sample
 * of the head's weights). Parameters are an explicit list, seeded at init, so that snapshots,
 * clones and the native graphs all read the same variables.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../../core/rng.ts';

export interface HeadConfig {
  readonly inputs: number;
  /** 0: linear head. */
  readonly hidden: number;
  readonly classes: number;
  readonly dropoutRate: number;
}

export interface HeadParams {
  readonly config: HeadConfig;
  /** [w1, b1] (linear) or [w1, b1, w2, b2] (MLP); w as [in, out]. */
  readonly variables: readonly tf.Variable[];
}

/** He-normal weights (seeded), zero biases; variables get engine-unique names. */
export function initHead(config: HeadConfig, rng: Rng): HeadParams {
  const layers = config.hidden > 0 ? [[config.inputs, config.hidden], [config.hidden, config.classes]] : [[config.inputs, config.classes]];
  const variables = layers.flatMap(([i, o]) => {
    const seed = rng.seed();
    return [tf.tidy(() => tf.variable(tf.randomNormal([i!, o!], 0, Math.sqrt(2 / i!), 'float32', seed))), tf.tidy(() => tf.variable(tf.zeros([o!])))];
  });
  return { config, variables };
}

export function cloneHead(p: HeadParams): HeadParams {
  return { config: p.config, variables: p.variables.map((v) => tf.tidy(() => tf.variable(v.clone()))) };
}

/**
 * Logits [n, C] of cell features [n, F]. `multiplier` (dropout): [n, F] or [F], 0 or 1/keep per
 * input channel; absent in eval mode.
 */
export function headLogits(p: HeadParams, x: tf.Tensor2D, multiplier?: tf.Tensor): tf.Tensor2D {
  return tf.tidy(() => {
    const v = p.variables;
    const input = multiplier ? tf.mul(x, multiplier) : x;
    const first = tf.add(tf.matMul(input as tf.Tensor2D, v[0] as tf.Tensor2D), v[1]!) as tf.Tensor2D;
    if (p.config.hidden === 0) return first;
    return tf.add(tf.matMul(tf.relu(first), v[2] as tf.Tensor2D), v[3]!) as tf.Tensor2D;
  });
}

/** The last linear layer's input [n, F'] (BADGE, coreset): the features (linear) or the hidden layer. */
export function headEmbedding(p: HeadParams, x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => (p.config.hidden === 0 ? x.clone() : (tf.relu(tf.add(tf.matMul(x, p.variables[0] as tf.Tensor2D), p.variables[1]!)) as tf.Tensor2D)));
}
