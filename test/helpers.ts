/** Shared test helpers. */
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { Rng } from '../core/rng.ts';
import { initInference } from '../compute/inference.ts';
import { makeSyntheticDataset } from '../env/data/synthetic.ts';
import { UNetLearner, type SegTrainConfig } from '../env/learners/unet/learner.ts';
import { existsSync, mkdtempSync } from 'node:fs';
import type { RunRecord } from '../benchmarks/sweep/run-record.ts';
import { loadProtocol, type Protocol } from '../env/protocol/load.ts';
import { protocolFieldHashes, protocolHash } from '../env/protocol/hash.ts';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The shared CamVid copy, when this machine has it. */
export const CAMVID_DIR = resolve(process.env.REGIONGYM_CAMVID ?? '../shared/datasets/camvid');
export const HAS_CAMVID = existsSync(join(CAMVID_DIR, 'train'));

export function tempDir(prefix = 'regiongym-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Run `fn` with the forward passes on inference engine `name` (native: 2 threads), then back on tfjs. */
export async function onEngine<T>(name: 'tfjs' | 'ort', fn: () => Promise<T>): Promise<T> {
  await initInference(name, { threads: 2 });
  try {
    return await fn();
  } finally {
    await initInference('tfjs');
  }
}

/** Run `fn` on another backend and switch back. */
export async function onBackend<T>(name: string, fn: () => T | Promise<T>): Promise<T> {
  const before = tf.getBackend();
  await tf.setBackend(name);
  try {
    return await fn();
  } finally {
    await tf.setBackend(before);
  }
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/**
 * Train a fresh UNet-S on 8 synthetic 32×32 images for 16 epochs on the training engine in use:
 * the loss must fall by 20 % and no tensor may leak across epochs.
 */
export async function expectTrainsWithoutLeaks(train: Partial<SegTrainConfig> = {}): Promise<void> {
  const ds = makeSyntheticDataset({ seed: 1, height: 32, width: 32, counts: { d_t: 8, d_s: 0, d_v: 0, val: 0, test: 0 } });
  const model = UNetLearner.create(11, 32, 32, new Rng(1), { optimizer: 'sgd' as const, lr: 0.05, momentum: 0.9, weightDecay: 0, clipNorm: 4, batchSize: 8, cropHeight: 32, cropWidth: 32, flip: false, ...train });
  const items = ds.splits.d_t!.map((s) => ({ sample: s, label: s.label }));
  const rng = new Rng(2);
  const first = await model.trainEpoch(items, rng);
  const before = tf.memory().numTensors;
  let last = first;
  for (let i = 0; i < 15; i++) last = await model.trainEpoch(items, rng);
  expect(tf.memory().numTensors).to.equal(before);
  expect(last).to.be.below(first * 0.8);
  model.dispose();
}

/** A valid run record (schema 2) for tests of the runs file, the leaderboard and merge; fields overridable. */
export function fakeRecord(over: Partial<RunRecord> & { protocolOf?: Protocol } = {}): RunRecord {
  const { protocolOf, ...rest } = over;
  const p = protocolOf;
  const base: RunRecord = {
    schema: 2,
    protocol: p?.name ?? 'synthetic-quick',
    protocolHash: p ? protocolHash(p) : 'h0',
    protocolFields: p ? protocolFieldHashes(p) : { data: 'aaaaaaaa' },
    model: { name: 'unet-s' },
    dataset: { name: 'synthetic', classNames: ['sky', 'building', 'pole'] },
    agent: 'random',
    agentId: 'random',
    privileged: false,
    baseline: true,
    trajectory: 't0',
    seed: 1,
    budgetRegions: 6,
    budgetPixels: 6 * 288,
    usedRegions: 6,
    labelingSteps: 2,
    testMIoU: 0.3,
    testPerClassIoU: [0.5, 0.3, 0.1],
    testPixelAccuracy: 0.7,
    rewardMIoUAfterLabeling: 0.25,
    rewardMIoUFinal: 0.3,
    finalTrainingEpochs: 3,
    labeledClassHistogram: [100, 200, 10, 5],
    labeledClassBalanceEntropy: 0.6,
    overlayRegions: [[], [1], []],
    timings: { labelingMs: 1000, finalTrainMs: 500, testMs: 100 },
    backend: 'wasm',
    inference: 'tfjs',
    training: 'tfjs',
    versions: { regiongym: '0.2.0', tfjs: '4.22.0', node: 'v20' },
    finishedAt: '2026-12-01T00:00:00.000Z',
  };
  return { ...base, ...rest };
}

/**
 * A protocol document small enough to bench in seconds (synthetic scenes at scale 0.1, 3 pools of 3,
 * budgets 6 and 12), named `name`: what the command-line tests write to a file and pass as --protocol.
 */
export function tinyProtocolDoc(name: string, seeds: number[] = [1, 2]): Protocol {
  const p = loadProtocol('synthetic-quick');
  return { ...p, name, data: { name: 'synthetic', scale: 0.1, synthetic: { seed: 1, counts: { d_t: 3, d_s: 1, d_v: 4, val: 2, test: 2 } } }, poolsPerStep: 3, poolSize: { policy: 3, eval: 3 }, budgets: [6, 12], policyBudget: 6, seeds, segmentation: { ...p.segmentation, crop: 16, batchSize: 4 }, initialModel: { evaluation: 'scratch', pretrainEpochs: 0 }, finalTraining: { epochs: 2, patience: 2 } };
}
