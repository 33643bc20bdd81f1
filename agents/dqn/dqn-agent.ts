/**
 * The RALIS batch DQN agent (docs/method.md §5–6). While training: ε-greedy (one coin per step for all
 * pools, ε decaying per AL step across episodes), K pool-level transitions per step sharing the
 * reward (pool k at t paired with pool k at t+1), one Double-DQN update per step, target sync every
 * 5 steps of an episode. Frozen (evaluation): greedy with BatchNorm running statistics.
 */
import * as tf from '@tensorflow/tfjs';
import type { Agent, Transition } from '../agent.ts';
import { argmaxPerPool, poolShape, randomPerPool } from '../agent.ts';
import type { Rng } from '../../core/rng.ts';
import { Rng as RngClass } from '../../core/rng.ts';
import { Sgd } from '../../nn/sgd.ts';
import { ConfigError, DataError } from '../../core/errors.ts';
import { loadTensors, saveTensors } from '../../nn/io.ts';
import type { ActiveSegInfo, ActiveSegObs } from '../../env/active-seg-types.ts';
import { DQN_DEFAULTS, epsilonAt, type DqnConfig } from './config.ts';
import { QNetwork, type QNetShape } from './q-network.ts';
import { ReplayBuffer } from './replay.ts';
import type { DqnTrainingState } from './training-state.ts';
import { dqnUpdate } from './dqn-update.ts';

const FORMAT = 'regiongym/ralis-dqn';

/** Copy of the observation taken in `act`: the env frees its tensors on the next step. */
interface Held {
  pools: Float32Array;
  state: Float32Array;
  mask: Uint8Array;
  K: number;
  N: number;
}

export interface DqnStats {
  actions: number;
  updates: number;
  epsilon: number;
  lr: number;
  lastLoss: number | null;
}

export class DqnAgent implements Agent {
  readonly name = 'dqn';
  readonly config: DqnConfig;
  readonly policy: QNetwork;
  readonly target: QNetwork;
  readonly replay: ReplayBuffer;
  private readonly optimizer: Sgd;
  /** Learning (ε-greedy, updates) or frozen (greedy). */
  training = true;
  private actions = 0;
  private updates = 0;
  private episodeStep = 0;
  private lastLoss: number | null = null;
  private held: Held | null = null;
  private readonly learnRng: Rng;

  constructor(shape: QNetShape, rng: Rng, config: Partial<DqnConfig> = {}, policy?: QNetwork) {
    this.config = { ...DQN_DEFAULTS, ...config };
    this.policy = policy ?? QNetwork.create(shape, rng.fork('qnet'));
    this.target = this.policy.clone();
    this.replay = new ReplayBuffer(this.config.replayCapacity, this.config.replay, this.config.priorityAlpha);
    this.optimizer = new Sgd(this.policy.trainableVariables(), { lr: this.config.lr, momentum: this.config.momentum, weightDecay: this.config.weightDecay, clipNorm: Infinity });
    this.learnRng = rng.fork('replay');
  }

  /** Shape the Q-network needs for an env's observations. */
  static shapeOf(obs: ActiveSegObs): QNetShape {
    return { stateRegions: obs.state.shape[0], stateFeatures: obs.state.shape[1], actionFeatures: obs.pools.shape[2] };
  }

  get stats(): DqnStats {
    return { actions: this.actions, updates: this.updates, epsilon: epsilonAt(this.config, this.actions), lr: this.optimizer.lr, lastLoss: this.lastLoss };
  }

  beginEpisode(): void {
    this.episodeStep = 0;
    this.held = null;
  }

  /** Greedy Q-values [K·N] for an observation (eval-mode BatchNorm). */
  qValues(obs: ActiveSegObs): Float32Array {
    return tf.tidy(() => this.policy.forward(obs.pools, tf.expandDims(obs.state, 0) as tf.Tensor3D, { train: false, bnMomentum: this.config.bnMomentum, bnEpsilon: this.config.bnEpsilon }).q.dataSync() as Float32Array);
  }

  async act(obs: ActiveSegObs, _info: ActiveSegInfo, rng: Rng): Promise<Int32Array> {
    const { K, N } = poolShape(obs);
    const want = this.policy.shape;
    const got = DqnAgent.shapeOf(obs);
    if (got.stateRegions !== want.stateRegions || got.stateFeatures !== want.stateFeatures || got.actionFeatures !== want.actionFeatures) {
      throw new ConfigError(`this policy was trained on observations with state [${want.stateRegions}, ${want.stateFeatures}] and candidates of ${want.actionFeatures} features; this env gives state [${got.stateRegions}, ${got.stateFeatures}] and ${got.actionFeatures}: a policy of another protocol`);
    }
    if (this.training) this.held = { pools: (await obs.pools.data()) as Float32Array, state: (await obs.state.data()) as Float32Array, mask: obs.actionMask.slice(), K, N };
    if (this.training) {
      const explore = rng.next() <= epsilonAt(this.config, this.actions);
      this.actions += 1;
      if (explore) return randomPerPool(obs.actionMask, K, N, rng);
    }
    return argmaxPerPool(this.qValues(obs), obs.actionMask, K, N);
  }

  async observe(t: Transition): Promise<void> {
    if (!this.training) return;
    const held = this.held;
    if (!held) throw new Error('DqnAgent.observe() without a preceding act() in training mode');
    const { K, N } = held;
    const D = held.pools.length / (K * N);
    const terminal = t.terminated || t.truncated;
    const next = terminal ? null : { pools: (await t.nextObs.pools.data()) as Float32Array, state: (await t.nextObs.state.data()) as Float32Array, mask: t.nextObs.actionMask };
    for (let k = 0; k < K; k++) {
      if (!held.mask.subarray(k * N, (k + 1) * N).includes(1)) continue; // an all-padding pool labelled nothing
      this.replay.push({
        pool: held.pools.slice(k * N * D, (k + 1) * N * D),
        state: held.state,
        action: t.action[k]!,
        reward: t.reward,
        next: next ? { pool: next.pools.slice(k * N * D, (k + 1) * N * D), mask: next.mask.slice(k * N, (k + 1) * N), state: next.state } : null,
      });
    }
    this.held = null;
    // target sync at episode steps 0, 5, 10, … (paper: counter % 5 == 0)
    if (this.episodeStep % this.config.targetSyncSteps === 0) this.target.copyFrom(this.policy);
    this.episodeStep += 1;
    if (this.replay.size >= this.config.batchSize) {
      const beta = Math.min(1, this.config.priorityBeta + (1 - this.config.priorityBeta) * (this.updates / this.config.betaSteps));
      const s = this.replay.sample(this.config.batchSize, this.learnRng, beta);
      const r = await dqnUpdate(this.policy, this.target, this.optimizer, s.items, s.weights, this.config);
      if (this.config.replay === 'prioritized') this.replay.updatePriorities(s.indices, r.tdErrors);
      this.lastLoss = r.loss;
      this.updates += 1;
    }
    this.optimizer.lr *= this.config.lrDecayPerStep;
  }

  /** Save the policy (weights, BatchNorm statistics, config, counters); atomic per file. */
  async save(dir: string): Promise<void> {
    const named: tf.NamedTensorMap = Object.fromEntries(this.policy.tensors());
    await saveTensors(dir, FORMAT, { shape: this.policy.shape }, named, { config: this.config as unknown as Record<string, {}>, counters: { actions: this.actions, updates: this.updates, lr: this.optimizer.lr } });
  }

  /** Everything learning depends on, at an episode boundary (see training-state.ts). */
  trainingState(): DqnTrainingState {
    if (this.held) throw new Error('DqnAgent.trainingState() between act() and observe(): take it at an episode boundary');
    return {
      shape: this.policy.shape,
      config: this.config,
      counters: { actions: this.actions, updates: this.updates, lr: this.optimizer.lr, lastLoss: this.lastLoss },
      policy: this.policy.tensors().map(([name, v]) => ({ name, shape: v.shape.slice(), data: (v.dataSync() as Float32Array).slice() })),
      velocity: this.optimizer.state().map((v) => (v.dataSync() as Float32Array).slice()),
      replay: this.replay.snapshot(),
      learnRng: this.learnRng.getState(),
    };
  }

  /** A training agent that continues exactly where `trainingState()` was taken. */
  static fromTrainingState(s: DqnTrainingState): DqnAgent {
    const named = Object.fromEntries(s.policy.map((p) => [p.name, tf.tensor(p.data, p.shape)]));
    let policy: QNetwork;
    try {
      policy = QNetwork.fromTensors(s.shape, named);
    } finally {
      tf.dispose(Object.values(named));
    }
    const agent = new DqnAgent(s.shape, new RngClass(0), s.config, policy);
    const velocity = agent.optimizer.state();
    if (velocity.length !== s.velocity.length) {
      agent.dispose();
      throw new DataError(`training state holds ${s.velocity.length} momentum buffers, the Q-network has ${velocity.length} trainable variables`);
    }
    velocity.forEach((v, i) => tf.tidy(() => v.assign(tf.tensor(s.velocity[i]!, v.shape))));
    agent.replay.restore(s.replay);
    agent.learnRng.setState(s.learnRng);
    agent.actions = s.counters.actions;
    agent.updates = s.counters.updates;
    agent.optimizer.lr = s.counters.lr;
    agent.lastLoss = s.counters.lastLoss;
    agent.training = true;
    return agent;
  }

  /** Load a saved policy; the agent starts frozen (greedy). */
  static async load(dir: string, rng: Rng = new RngClass(0)): Promise<DqnAgent> {
    const { topology, metadata, tensors } = await loadTensors(dir, FORMAT);
    const shape = (topology as { shape: QNetShape }).shape;
    const meta = metadata as { config: DqnConfig; counters: { actions: number; updates: number; lr: number } };
    const bad = Object.entries(tensors).find(([, t]) => !(t.dataSync() as Float32Array).every(Number.isFinite));
    if (bad) {
      tf.dispose(Object.values(tensors));
      throw new DataError(`${dir}/weights.bin: '${bad[0]}' holds NaN or infinite values: not a usable policy`);
    }
    let policy: QNetwork;
    try {
      policy = QNetwork.fromTensors(shape, tensors);
    } catch (e) {
      tf.dispose(Object.values(tensors));
      throw new DataError(`${dir}/model.json: ${(e as Error).message} (not a policy written by 'regiongym train-policy')`);
    }
    tf.dispose(Object.values(tensors));
    const agent = new DqnAgent(shape, rng, meta.config, policy);
    agent.actions = meta.counters.actions;
    agent.updates = meta.counters.updates;
    agent.optimizer.lr = meta.counters.lr;
    agent.training = false;
    return agent;
  }

  dispose(): void {
    this.policy.dispose();
    this.target.dispose();
    this.optimizer.dispose();
  }
}
