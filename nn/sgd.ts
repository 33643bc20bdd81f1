/**
 * SGD with momentum, L2 weight decay and global gradient-norm clipping, in PyTorch's formulation
 * (g ← clip(g) + wd·w; v ← m·v + g; w ← w − lr·v), which is what docs/method.md §7 specifies.
 */
import * as tf from '@tensorflow/tfjs';
import { gradientStep } from './grad-step.ts';

export interface SgdConfig {
  lr: number;
  momentum: number;
  weightDecay: number;
  /** Global L2 norm the gradient is clipped to; Infinity disables clipping. */
  clipNorm: number;
}

export class Sgd {
  private readonly velocity: tf.Variable[];
  lr: number;

  constructor(
    private readonly variables: readonly tf.Variable[],
    readonly config: SgdConfig,
  ) {
    this.lr = config.lr;
    this.velocity = variables.map((v) => tf.tidy(() => tf.variable(tf.zerosLike(v), false)));
  }

  /** One update on `lossFn`; returns the loss value (one scalar read per step). */
  step(lossFn: () => tf.Scalar): number {
    return gradientStep(this.variables, lossFn, (gs) => this.update(gs));
  }

  /** One update from gradients computed elsewhere (a native engine), one array per variable in order. */
  applyGradients(grads: readonly Float32Array[]): void {
    if (grads.length !== this.variables.length) throw new RangeError(`expected ${this.variables.length} gradients, got ${grads.length}`);
    tf.tidy(() => this.update(this.variables.map((v, i) => {
      if (grads[i]!.length !== v.size) throw new RangeError(`gradient ${i} (${v.name}) has ${grads[i]!.length} values, expected ${v.size}`);
      return tf.tensor(grads[i]!, v.shape);
    })));
  }

  /** Clip, decay, momentum, step: call inside tf.tidy. */
  private update(gs: tf.Tensor[]): void {
    const { momentum, weightDecay, clipNorm } = this.config;
    let scale: tf.Scalar = tf.scalar(1);
    if (Number.isFinite(clipNorm)) {
      const norm = tf.sqrt(tf.addN(gs.map((g) => tf.sum(tf.square(g)))));
      scale = tf.minimum(1, tf.div(clipNorm, tf.add(norm, 1e-6))) as tf.Scalar;
    }
    this.variables.forEach((v, i) => {
      const g = tf.add(tf.mul(gs[i]!, scale), tf.mul(v, weightDecay));
      const vel = tf.add(tf.mul(this.velocity[i]!, momentum), g);
      this.velocity[i]!.assign(vel);
      v.assign(tf.sub(v, tf.mul(vel, this.lr)));
    });
  }

  /** The optimizer's state (momentum buffers), one per variable, for exact snapshots. */
  state(): readonly tf.Variable[] {
    return this.velocity;
  }

  dispose(): void {
    for (const v of this.velocity) v.dispose();
  }
}
