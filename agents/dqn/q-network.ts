/**
 * The RALIS query network (docs/method.md §5): a state branch over the state-set regions, an action
 * branch per candidate, a sigmoid gate from the two KL histograms, and a head; every layer is
 * pre-activation (BatchNorm → ReLU → linear; the head has no ReLU). Q(s, a_j) = σ(g_j) · q̃_j.
 *
 * "Conv1d with kernel 1" layers are per-position linear maps; BatchNorm statistics run over batch ×
 * positions. Parameters are explicit tensors so the optimizer, the target copy and save/load are plain.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../core/rng.ts';
import { KL_BINS } from '../../env/features.ts';

export interface QNetShape {
  /** R_S: state-set regions. */
  stateRegions: number;
  /** F_s: features per state region. */
  stateFeatures: number;
  /** D: features per candidate (the last 2·32 are the KL histograms). */
  actionFeatures: number;
}

interface Linear {
  w: tf.Variable;
  b: tf.Variable;
}
interface BatchNorm {
  gamma: tf.Variable;
  beta: tf.Variable;
  mean: tf.Variable;
  variance: tf.Variable;
}
interface Layer {
  name: string;
  bn: BatchNorm;
  lin: Linear;
  relu: boolean;
}

/** Layer plan: name, input width, output width, ReLU after BN (native-graph.ts builds the same). */
export function plan(s: QNetShape): [string, number, number, boolean][] {
  const gateIn = 2 * KL_BINS;
  const fa = s.actionFeatures - gateIn;
  return [
    ['state1', s.stateFeatures, 256, true], ['state2', 256, 128, true], ['state3', 128, 1, true], ['stateFc', s.stateRegions, 128, true],
    ['action1', fa, 512, true], ['action2', 512, 256, true], ['action3', 256, 128, true],
    ['gate', gateIn, 1, true],
    ['head', 256, 1, false],
  ];
}

export class QNetwork {
  readonly layers: Layer[];

  private constructor(readonly shape: QNetShape, layers: Layer[]) {
    this.layers = layers;
  }

  /** PyTorch's default init (U(±1/√fan_in) for weights and biases), seeded. */
  static create(shape: QNetShape, rng: Rng): QNetwork {
    const layers = plan(shape).map(([name, cin, cout, relu]) => {
      const bound = 1 / Math.sqrt(cin);
      const [ws, bs] = [rng.seed(), rng.seed()];
      return tf.tidy(() => ({
        name,
        relu,
        lin: { w: tf.variable(tf.randomUniform([cin, cout], -bound, bound, 'float32', ws)), b: tf.variable(tf.randomUniform([cout], -bound, bound, 'float32', bs)) },
        bn: { gamma: tf.variable(tf.ones([cin])), beta: tf.variable(tf.zeros([cin])), mean: tf.variable(tf.zeros([cin]), false), variance: tf.variable(tf.ones([cin]), false) },
      }));
    });
    return new QNetwork(shape, layers);
  }

  /** Named tensors in a fixed order (save, load, copy). */
  tensors(): [string, tf.Variable][] {
    return this.layers.flatMap((l) => [
      [`${l.name}/w`, l.lin.w], [`${l.name}/b`, l.lin.b], [`${l.name}/gamma`, l.bn.gamma], [`${l.name}/beta`, l.bn.beta], [`${l.name}/mean`, l.bn.mean], [`${l.name}/variance`, l.bn.variance],
    ] as [string, tf.Variable][]);
  }

  trainableVariables(): tf.Variable[] {
    return this.layers.flatMap((l) => [l.lin.w, l.lin.b, l.bn.gamma, l.bn.beta]);
  }

  clone(): QNetwork {
    const copy = QNetwork.fromTensors(this.shape, Object.fromEntries(this.tensors().map(([k, v]) => [k, v])));
    return copy;
  }

  static fromTensors(shape: QNetShape, named: Record<string, tf.Tensor>): QNetwork {
    const get = (k: string) => {
      const t = named[k];
      if (!t) throw new Error(`Q-network weights lack '${k}'`);
      return t;
    };
    const layers = plan(shape).map(([name, , , relu]) =>
      tf.tidy(() => ({
        name,
        relu,
        lin: { w: tf.variable(get(`${name}/w`).clone()), b: tf.variable(get(`${name}/b`).clone()) },
        bn: {
          gamma: tf.variable(get(`${name}/gamma`).clone()),
          beta: tf.variable(get(`${name}/beta`).clone()),
          mean: tf.variable(get(`${name}/mean`).clone(), false),
          variance: tf.variable(get(`${name}/variance`).clone(), false),
        },
      })),
    );
    return new QNetwork(shape, layers);
  }

  /** Overwrite every parameter and running statistic with `other`'s (target sync). */
  copyFrom(other: QNetwork): void {
    const src = other.tensors();
    this.tensors().forEach(([, v], i) => v.assign(src[i]![1]));
  }

  dispose(): void {
    for (const [, v] of this.tensors()) v.dispose();
  }

  /**
   * Pre-activation block on x [rows, cin]. Train mode normalises with batch statistics and, when
   * `updates` is given, queues the running-statistic update (applied by `applyBnUpdates`).
   */
  private block(l: Layer, x: tf.Tensor2D, train: boolean, updates: BnUpdate[] | null, momentum: number, eps: number): tf.Tensor2D {
    let mean: tf.Tensor, variance: tf.Tensor;
    if (train) {
      const m = tf.moments(x, 0);
      mean = m.mean;
      variance = m.variance;
      if (updates) updates.push({ bn: l.bn, mean: tf.keep(tf.clone(mean)), variance: tf.keep(tf.mul(variance, x.shape[0] / Math.max(1, x.shape[0] - 1))), momentum });
    } else {
      mean = l.bn.mean;
      variance = l.bn.variance;
    }
    let h = tf.batchNorm(x, mean as tf.Tensor1D, variance as tf.Tensor1D, l.bn.beta, l.bn.gamma, eps) as tf.Tensor2D;
    if (l.relu) h = tf.relu(h);
    return tf.add(tf.matMul(h, l.lin.w), l.lin.b) as tf.Tensor2D;
  }

  /**
   * Q-values [B, N] for pools [B, N, D] and states [S, R_S, F_s] where S is B (one state per pool)
   * or 1 (one state shared by every pool, as in acting). Returns the gate too, for tests.
   */
  forward(pools: tf.Tensor3D, states: tf.Tensor3D, opts: { train: boolean; updates?: BnUpdate[]; bnMomentum?: number; bnEpsilon?: number }): { q: tf.Tensor2D; gate: tf.Tensor2D } {
    const [B, N, D] = pools.shape;
    const [S, R, F] = states.shape;
    const mom = opts.bnMomentum ?? 0.1, eps = opts.bnEpsilon ?? 1e-5;
    const upd = opts.updates ?? null;
    const L = Object.fromEntries(this.layers.map((l) => [l.name, l]));
    const run = (name: string, x: tf.Tensor2D) => this.block(L[name]!, x, opts.train, upd, mom, eps);
    return tf.tidy(() => {
      // state branch: per-region MLP → one value per region → linear over the region axis
      let s = tf.reshape(states, [S * R, F]) as tf.Tensor2D;
      s = run('state3', run('state2', run('state1', s)));
      const stateVec = run('stateFc', tf.reshape(s, [S, R]) as tf.Tensor2D); // [S, 128]
      const stateRep = tf.tile(tf.reshape(S === 1 ? tf.tile(stateVec, [B, 1]) : stateVec, [B, 1, 128]), [1, N, 1]); // [B, N, 128]
      // action branch and gate
      const flat = tf.reshape(pools, [B * N, D]) as tf.Tensor2D;
      const gateIn = 2 * KL_BINS;
      const a = run('action3', run('action2', run('action1', tf.slice(flat, [0, 0], [B * N, D - gateIn]))));
      const g = run('gate', tf.slice(flat, [0, D - gateIn], [B * N, gateIn]));
      const joined = tf.concat([a, tf.reshape(stateRep, [B * N, 128])], 1) as tf.Tensor2D;
      const qTilde = run('head', joined);
      const gate = tf.reshape(tf.sigmoid(g), [B, N]) as tf.Tensor2D;
      return { q: tf.mul(gate, tf.reshape(qTilde, [B, N])) as tf.Tensor2D, gate };
    });
  }
}

export interface BnUpdate {
  bn: BatchNorm;
  mean: tf.Tensor;
  variance: tf.Tensor;
  momentum: number;
}

/** Apply queued running-statistic updates (PyTorch: r ← (1 − m)·r + m·batch, unbiased variance). */
export function applyBnUpdates(updates: BnUpdate[]): void {
  for (const u of updates) {
    tf.tidy(() => {
      u.bn.mean.assign(tf.add(tf.mul(u.bn.mean, 1 - u.momentum), tf.mul(u.mean, u.momentum)));
      u.bn.variance.assign(tf.add(tf.mul(u.bn.variance, 1 - u.momentum), tf.mul(u.variance, u.momentum)));
    });
    tf.dispose([u.mean, u.variance]);
  }
  updates.length = 0;
}
