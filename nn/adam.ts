/**
 * Adam (Kingma & Ba 2015) with L2 weight decay added to the gradient (PyTorch's `Adam(weight_decay)`)
 * and global gradient-norm clipping, β₁ 0.9, β₂ 0.999, ε 1e-8. Its state (moments and step count)
 * can be read and written back exactly, for snapshots.
 */
import * as tf from '@tensorflow/tfjs';
import { gradientStep } from './grad-step.ts';
import type { SgdConfig } from './sgd.ts';

const BETA1 = 0.9;
const BETA2 = 0.999;
const EPS = 1e-8;

export class Adam {
  private readonly m: tf.Variable[];
  private readonly v: tf.Variable[];
  /** Updates taken (bias correction uses it). */
  steps = 0;
  lr: number;

  constructor(
    private readonly variables: readonly tf.Variable[],
    readonly config: Pick<SgdConfig, 'lr' | 'weightDecay' | 'clipNorm'>,
  ) {
    this.lr = config.lr;
    this.m = variables.map((v) => tf.tidy(() => tf.variable(tf.zerosLike(v), false)));
    this.v = variables.map((v) => tf.tidy(() => tf.variable(tf.zerosLike(v), false)));
  }

  /** One update on `lossFn`; returns the loss value. */
  step(lossFn: () => tf.Scalar): number {
    return gradientStep(this.variables, lossFn, (gs) => this.update(gs));
  }

  /** One update on gradients computed elsewhere (a native engine), in variable order. */
  applyGradients(grads: readonly Float32Array[]): void {
    if (grads.length !== this.variables.length) throw new RangeError(`expected ${this.variables.length} gradients, got ${grads.length}`);
    tf.tidy(() => this.update(this.variables.map((v, i) => {
      if (grads[i]!.length !== v.size) throw new RangeError(`gradient ${i} (${v.name}) has ${grads[i]!.length} values, expected ${v.size}`);
      return tf.tensor(grads[i]!, v.shape);
    })));
  }

  private update(gs: tf.Tensor[]): void {
    const { weightDecay, clipNorm } = this.config;
    this.steps++;
    let scale: tf.Scalar = tf.scalar(1);
    if (Number.isFinite(clipNorm)) {
      const norm = tf.sqrt(tf.addN(gs.map((g) => tf.sum(tf.square(g)))));
      scale = tf.minimum(1, tf.div(clipNorm, tf.add(norm, 1e-6))) as tf.Scalar;
    }
    const c1 = 1 - BETA1 ** this.steps;
    const c2 = 1 - BETA2 ** this.steps;
    this.variables.forEach((w, i) => {
      const g = tf.add(tf.mul(gs[i]!, scale), tf.mul(w, weightDecay));
      const m = tf.add(tf.mul(this.m[i]!, BETA1), tf.mul(g, 1 - BETA1));
      const v = tf.add(tf.mul(this.v[i]!, BETA2), tf.mul(tf.square(g), 1 - BETA2));
      this.m[i]!.assign(m);
      this.v[i]!.assign(v);
      w.assign(tf.sub(w, tf.div(tf.mul(tf.div(m, c1), this.lr), tf.add(tf.sqrt(tf.div(v, c2)), EPS))));
    });
  }

  /** Moment buffers (m then v, one each per variable), for exact snapshots. */
  state(): readonly tf.Variable[] {
    return [...this.m, ...this.v];
  }

  dispose(): void {
    tf.dispose([...this.m, ...this.v]);
  }
}
