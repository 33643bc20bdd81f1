/**
 * The DQN update on the native engine (native-graph.ts, native-update.ts) is a second, hand-written
 * backward pass of the query network: its loss, TD errors, gradients and BatchNorm running statistics
 * must equal the tfjs reference (q-network.ts autodiff) up to float rounding.
 */
import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../core/rng.ts';
import { DQN_DEFAULTS, type DqnConfig } from '../agents/dqn/config.ts';
import { QNetwork } from '../agents/dqn/q-network.ts';
import type { PoolTransition } from '../agents/dqn/replay.ts';
import { dqnUpdate, tfjsDqnUpdate } from '../agents/dqn/dqn-update.ts';
import { Sgd } from '../nn/sgd.ts';
import { initTraining } from '../compute/training.ts';

const SHAPE = { stateRegions: 6, stateFeatures: 10, actionFeatures: 70 };
const N = 5;

function transitions(rng: Rng, B: number): PoolTransition[] {
  const { stateRegions: R, stateFeatures: F, actionFeatures: D } = SHAPE;
  const pool = () => Float32Array.from({ length: N * D }, () => rng.normal());
  const state = () => Float32Array.from({ length: R * F }, () => rng.normal());
  return Array.from({ length: B }, (_, i) => ({
    pool: pool(),
    state: state(),
    action: rng.int(N),
    // large rewards put some errors past the Huber δ
    reward: 3 * rng.normal(),
    next: i % 3 === 2 ? null : { pool: pool(), state: state(), mask: Uint8Array.from({ length: N }, (_, j) => (j === 0 || rng.next() < 0.7 ? 1 : 0)) },
  }));
}

/** One update at lr 1 without momentum, decay or clipping: returns the weights' change (the gradient), the running statistics after, loss and TD errors. */
async function update(engine: 'tfjs' | 'ort', cfg: DqnConfig) {
  await initTraining(engine, { threads: 2 });
  try {
    const policy = QNetwork.create(SHAPE, new Rng(1));
    const target = QNetwork.create(SHAPE, new Rng(2));
    // non-trivial running statistics in the target (eval mode reads them)
    tf.tidy(() => target.layers.forEach((l, i) => { l.bn.mean.assign(tf.fill(l.bn.mean.shape, 0.1 * i)); l.bn.variance.assign(tf.fill(l.bn.variance.shape, 1 + 0.2 * i)); }));
    const opt = new Sgd(policy.trainableVariables(), { lr: 1, momentum: 0, weightDecay: 0, clipNorm: Infinity });
    const before = policy.trainableVariables().map((v) => Float32Array.from(v.dataSync() as Float32Array));
    const batch = transitions(new Rng(7), 8);
    const weights = Float32Array.from({ length: 8 }, (_, i) => 0.5 + i / 8);
    const r = engine === 'ort' ? await dqnUpdate(policy, target, opt, batch, weights, cfg) : tfjsDqnUpdate(policy, target, opt, batch, weights, cfg);
    const grads = policy.trainableVariables().map((v, i) => {
      const after = v.dataSync() as Float32Array;
      return before[i]!.map((b, k) => b - after[k]!);
    });
    const running = policy.layers.flatMap((l) => [Float32Array.from(l.bn.mean.dataSync() as Float32Array), Float32Array.from(l.bn.variance.dataSync() as Float32Array)]);
    policy.dispose();
    target.dispose();
    opt.dispose();
    return { ...r, grads, running };
  } finally {
    await initTraining('tfjs');
  }
}

/** Largest difference over the reference's largest value (at least `floor`). */
function relDiff(a: Float32Array, b: Float32Array, floor = 1e-12): number {
  let d = 0, m = 0;
  for (let i = 0; i < b.length; i++) {
    d = Math.max(d, Math.abs(a[i]! - b[i]!));
    m = Math.max(m, Math.abs(b[i]!));
  }
  return d / Math.max(m, floor);
}

describe('DQN update on the native engine', () => {
  it('loss, TD errors, every gradient and the BatchNorm running statistics equal the tfjs reference within 1e-4, and no tensor is left behind', async () => {
    const cfg = { ...DQN_DEFAULTS, huberDelta: 1 };
    const tensors = tf.memory().numTensors;
    const ref = await update('tfjs', cfg);
    expect(tf.memory().numTensors, 'tfjs').to.equal(tensors);
    const got = await update('ort', cfg);
    expect(tf.memory().numTensors, 'native').to.equal(tensors);
    expect(got.loss).to.be.closeTo(ref.loss, 1e-4 * Math.abs(ref.loss));
    expect(relDiff(got.tdErrors, ref.tdErrors)).to.be.below(1e-4);
    // some errors past δ, some inside: both branches of the Huber loss are exercised
    expect(Array.from(ref.tdErrors).some((e) => Math.abs(e) > 1) && Array.from(ref.tdErrors).some((e) => Math.abs(e) < 1)).to.equal(true);
    expect(ref.grads.every((g) => g.some((v) => v !== 0))).to.equal(true);
    // a bias feeding a train-mode BatchNorm has zero gradient (the batch mean absorbs it): both sides are
    // rounding noise there, so each variable's difference is taken relative to at least 1 % of the largest gradient
    const largest = ref.grads.reduce((m, g) => g.reduce((mm, v) => Math.max(mm, Math.abs(v)), m), 0);
    const diffs = got.grads.map((g, i) => relDiff(g, ref.grads[i]!, 1e-2 * largest));
    expect(Math.max(...diffs), `per variable: ${diffs.map((d) => d.toExponential(1)).join(', ')}`).to.be.below(1e-4);
    const stats = got.running.map((r, i) => relDiff(r, ref.running[i]!));
    expect(Math.max(...stats)).to.be.below(1e-5);
  });
});
