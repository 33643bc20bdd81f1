/**
 * One Double-DQN update (docs/method.md §6.3): Q(s,a) from the policy net in train mode; for non-terminal
 * samples a* = argmax over the next pool's real candidates of the policy net (train mode, no gradient),
 * V = target(next)[a*] (eval mode); y = r + γ·V (terminal: y = r); Huber loss, importance-weighted mean.
 */
import * as tf from '@tensorflow/tfjs';
import { Sgd } from '../../nn/sgd.ts';
import { nativeTraining } from '../../compute/training.ts';
import type { DqnConfig } from './config.ts';
import { applyBnUpdates, type BnUpdate, type QNetwork } from './q-network.ts';
import type { PoolTransition } from './replay.ts';
import { nativeDqnUpdate } from './native-update.ts';
import { doubleDqnTargets, stackRows, type UpdateResult } from './dqn-targets.ts';

export { doubleDqnTargets, type UpdateResult };

function stack(arrays: Float32Array[], shape: [number, number, number]): tf.Tensor3D {
  return tf.tensor3d(stackRows(arrays), shape);
}

/** One update on the native engine when training runs there (native-update.ts), else on tfjs (the reference below). */
export function dqnUpdate(policy: QNetwork, target: QNetwork, optimizer: Sgd, batch: PoolTransition[], weights: Float32Array, cfg: DqnConfig): Promise<UpdateResult> {
  const native = nativeTraining();
  return native ? nativeDqnUpdate(native, policy, target, optimizer, batch, weights, cfg) : Promise.resolve(tfjsDqnUpdate(policy, target, optimizer, batch, weights, cfg));
}

export function tfjsDqnUpdate(policy: QNetwork, target: QNetwork, optimizer: Sgd, batch: PoolTransition[], weights: Float32Array, cfg: DqnConfig): UpdateResult {
  const B = batch.length;
  const { stateRegions: R, stateFeatures: F, actionFeatures: D } = policy.shape;
  const N = batch[0]!.pool.length / D;
  const terminal = Uint8Array.from(batch, (t) => (t.next ? 0 : 1));
  const rewards = Float32Array.from(batch, (t) => t.reward);
  const updates: BnUpdate[] = [];
  const bn = { bnMomentum: cfg.bnMomentum, bnEpsilon: cfg.bnEpsilon };

  // next-state values (no gradient)
  const live = batch.map((t, i) => (t.next ? i : -1)).filter((i) => i >= 0);
  let nextPolicyQ: number[][] = batch.map(() => []);
  let nextTargetQ: number[][] = batch.map(() => []);
  if (live.length > 0) {
    const np = stack(live.map((i) => batch[i]!.next!.pool), [live.length, N, D]);
    const ns = stack(live.map((i) => batch[i]!.next!.state), [live.length, R, F]);
    const [pq, tq] = tf.tidy(() => [policy.forward(np, ns, { train: true, updates, ...bn }).q, target.forward(np, ns, { train: false, ...bn }).q]);
    const [pa, ta] = [pq!.arraySync() as number[][], tq!.arraySync() as number[][]];
    live.forEach((i, j) => {
      nextPolicyQ[i] = pa[j]!;
      nextTargetQ[i] = ta[j]!;
    });
    tf.dispose([np, ns, pq!, tq!]);
  }
  const y = doubleDqnTargets(rewards, terminal, nextPolicyQ, nextTargetQ, batch.map((t) => t.next?.mask ?? null), cfg.gamma);

  const pools = stack(batch.map((t) => t.pool), [B, N, D]);
  const states = stack(batch.map((t) => t.state), [B, R, F]);
  const actionOneHot = tf.tidy(() => tf.oneHot(tf.tensor1d(batch.map((t) => t.action), 'int32'), N));
  const yT = tf.tensor1d(y);
  const wT = tf.tensor1d(weights);
  let qsa: Float32Array = new Float32Array(B);
  const loss = optimizer.step(() => {
    const q = policy.forward(pools, states, { train: true, updates, ...bn }).q;
    const picked = tf.sum(tf.mul(q, actionOneHot), 1);
    qsa = picked.dataSync() as Float32Array;
    return tf.mean(tf.mul(tf.losses.huberLoss(yT, picked, undefined, cfg.huberDelta, tf.Reduction.NONE), wT)) as tf.Scalar;
  });
  applyBnUpdates(updates);
  tf.dispose([pools, states, actionOneHot, yT, wT]);
  return { loss, tdErrors: Float32Array.from(y, (v, i) => v - qsa[i]!) };
}
