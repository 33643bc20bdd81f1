/**
 * The Double-DQN update of dqn-update.ts on the native engine: the next states' values (policy in
 * train mode, target in eval mode) and the training step's loss and gradients run as the ONNX graphs
 * of native-graph.ts, one run each on one thread; the SGD step and the BatchNorm running statistics
 * stay in tfjs, in the same order as the reference (the next-state pass's statistics first).
 */
import * as tf from '@tensorflow/tfjs';
import type { OrtEngine } from '../../compute/ort/engine.ts';
import { sharedCopy, type Feeds } from '../../compute/ort/host.ts';
import type { Sgd } from '../../nn/sgd.ts';
import type { DqnConfig } from './config.ts';
import { applyBnUpdates, type BnUpdate, type QNetwork } from './q-network.ts';
import type { PoolTransition } from './replay.ts';
import { qForwardModel, qTrainStepModel } from './native-graph.ts';
import { doubleDqnTargets, stackRows, type UpdateResult } from './dqn-targets.ts';

/** Owner of the Q-network graphs: the weights are inputs, so the sessions never go stale. */
const GRAPHS = { weightsVersion: 0 };

/** The net's weights as feeds, in shared memory (sharedCopy): the policy's serve two runs of one update. */
function weightFeeds(net: QNetwork, withRunning: boolean): Feeds {
  const feeds: Feeds = {};
  for (const l of net.layers) {
    const add = (k: string, t: tf.Tensor) => (feeds[`${l.name}/${k}`] = { data: sharedCopy(t.dataSync() as Float32Array), dims: t.shape });
    add('w', l.lin.w);
    add('b', l.lin.b);
    add('gamma', l.bn.gamma);
    add('beta', l.bn.beta);
    if (withRunning) {
      add('mean', l.bn.mean);
      add('variance', l.bn.variance);
    }
  }
  return feeds;
}

/** The running-statistic updates a train-mode pass asks for, in layer order (as q-network.ts queues them). */
function bnUpdates(net: QNetwork, out: Record<string, Float32Array | Int32Array | BigInt64Array | Uint8Array>, momentum: number): BnUpdate[] {
  return net.layers.map((l) => ({
    bn: l.bn,
    mean: tf.tensor1d(out[`${l.name}/batchMean`] as Float32Array),
    variance: tf.tensor1d(out[`${l.name}/batchVariance`] as Float32Array),
    momentum,
  }));
}

/** Rows of n values each. */
const rowsOf = (flat: Float32Array, n: number): number[][] => Array.from({ length: flat.length / n }, (_, i) => Array.from(flat.subarray(i * n, (i + 1) * n)));

export async function nativeDqnUpdate(engine: OrtEngine, policy: QNetwork, target: QNetwork, optimizer: Sgd, batch: PoolTransition[], weights: Float32Array, cfg: DqnConfig): Promise<UpdateResult> {
  const B = batch.length;
  const shape = policy.shape;
  const { stateRegions: R, stateFeatures: F, actionFeatures: D } = shape;
  const N = batch[0]!.pool.length / D;
  const eps = cfg.bnEpsilon;
  const tag = `${R}x${F}/${D}x${N}/${eps}`;
  const updates: BnUpdate[] = [];

  // next-state values (no gradient)
  const live = batch.map((t, i) => (t.next ? i : -1)).filter((i) => i >= 0);
  const nextPolicyQ: number[][] = batch.map(() => []);
  const nextTargetQ: number[][] = batch.map(() => []);
  const policyWeights = weightFeeds(policy, false);
  if (live.length > 0) {
    // both passes read the same next states: shared memory
    const inputs = {
      pools: { data: sharedCopy(stackRows(live.map((i) => batch[i]!.next!.pool))), dims: [live.length, N, D] },
      states: { data: sharedCopy(stackRows(live.map((i) => batch[i]!.next!.state))), dims: [live.length, R, F] },
    };
    const trainKey = await engine.graph(GRAPHS, `q-forward-train/${tag}`, () => qForwardModel(shape, N, 'train', eps));
    const evalKey = await engine.graph(GRAPHS, `q-forward-eval/${tag}`, () => qForwardModel(shape, N, 'eval', eps));
    const [p, t] = await Promise.all([engine.eachImage(trainKey, [{ ...inputs, ...policyWeights }]), engine.eachImage(evalKey, [{ ...inputs, ...weightFeeds(target, true) }])]);
    updates.push(...bnUpdates(policy, p, cfg.bnMomentum));
    const [pq, tq] = [rowsOf(p.q as Float32Array, N), rowsOf(t.q as Float32Array, N)];
    live.forEach((i, j) => {
      nextPolicyQ[i] = pq[j]!;
      nextTargetQ[i] = tq[j]!;
    });
  }
  const y = doubleDqnTargets(Float32Array.from(batch, (t) => t.reward), Uint8Array.from(batch, (t) => (t.next ? 0 : 1)), nextPolicyQ, nextTargetQ, batch.map((t) => t.next?.mask ?? null), cfg.gamma);

  const action = new Float32Array(B * N);
  batch.forEach((t, i) => (action[i * N + t.action] = 1));
  const stepKey = await engine.graph(GRAPHS, `q-train-step/${tag}/${cfg.huberDelta}`, () => qTrainStepModel(shape, N, eps, cfg.huberDelta));
  const out = await engine.eachImage(stepKey, [
    {
      pools: { data: stackRows(batch.map((t) => t.pool)), dims: [B, N, D] },
      states: { data: stackRows(batch.map((t) => t.state)), dims: [B, R, F] },
      action: { data: action, dims: [B, N] },
      y: { data: Float32Array.from(y), dims: [B] },
      weights: { data: Float32Array.from(weights), dims: [B] },
      ...policyWeights,
    },
  ]);
  updates.push(...bnUpdates(policy, out, cfg.bnMomentum));
  // trainableVariables' order: per layer w, b, gamma, beta
  optimizer.applyGradients(policy.layers.flatMap((l) => ['dw', 'db', 'dgamma', 'dbeta'].map((k) => out[`${l.name}/${k}`] as Float32Array)));
  applyBnUpdates(updates);
  const picked = out.picked as Float32Array;
  return { loss: (out.loss as Float32Array)[0]!, tdErrors: Float32Array.from(y, (v, i) => v - picked[i]!) };
}
