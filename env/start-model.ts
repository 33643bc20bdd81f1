/**
 * The learner an episode starts from (protocol.initialModel): a fresh init, or one trained on a fully
 * labelled split, cached on disk under a key of the protocol's content, the seed and the gradient
 * engine. Shared by the benchmark's trajectories, the policy's training and `prepare`.
 */
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { Rng } from '../core/rng.ts';
import { sealDir, sealedDirIntact } from '../core/checked-dir.ts';
import { withLockAsync } from '../core/lock-file.ts';
import { trainingInUse } from '../compute/training.ts';
import { getSplit, type SegDataset, type SegSample } from './data/dataset.ts';
import type { SegLearner, TrainItem } from './learners/learner.ts';
import { createLearner, loadLearner } from './learners/registry.ts';
import { trainWithEarlyStopping } from './learners/early-stopping.ts';
import { segTrainConfig } from './make-env.ts';
import type { Protocol } from './protocol/load.ts';
import { protocolHash } from './protocol/hash.ts';

/** The learner context of a protocol's runs: its data, training settings and a cache directory. */
export function learnerContext(p: Protocol, data: SegDataset, cacheDir: string | null) {
  return { data, train: segTrainConfig(p), cacheDir };
}

/** Every item of fully labelled samples (pre-training, the upper bound). */
export function fullItems(samples: readonly SegSample[]): TrainItem[] {
  return samples.map((s) => ({ sample: s, label: s.label }));
}

/**
 * The learner episodes of `phase` start from: a fresh init (undefined), or one trained on a fully
 * labelled split (the state set, or the policy pool), cached on disk under a key of the protocol's
 * content, the seed and the gradient engine (an edited protocol never reuses stale weights), with a
 * checksum of its files (checked-dir.ts: an altered or torn cache is trained again, not used).
 */
export async function initialModel(p: Protocol, data: SegDataset, seed: number, cacheDir: string | null, phase: 'eval' | 'policy' = 'eval', stopRequested?: () => boolean): Promise<SegLearner | undefined> {
  const kind = phase === 'eval' ? p.initialModel.evaluation : (p.initialModel.policy ?? 'scratch');
  if (kind === 'scratch') return undefined;
  // the first protocols' spellings: a fixed number of epochs, last weights; a split name: the final training's rule
  const legacy = kind === 'state-set' || kind === 'pretrained-policy-pool';
  const split = kind === 'state-set' ? p.splits.state : kind === 'pretrained-policy-pool' ? p.splits.policyPool : kind;
  const ctx = learnerContext(p, data, cacheDir);
  // models pre-trained with native gradients differ at rounding level: cached apart; r2: the frozen
  // encoder's head trains with the true upsampling adjoint (upsample.ts), natively on ort; r3: natively,
  // whole images train as their labelled tiles (tiles.ts), equal to r2 up to float summation order
  const engine = trainingInUse() === 'tfjs' ? '' : `-${trainingInUse()}-training`;
  const revision = trainingInUse() === 'tfjs' ? 'r2' : 'r3';
  const dir = cacheDir ? join(cacheDir, `pretrained-${p.name}-${protocolHash(p)}-${kind}-${seed}${engine}-${revision}`) : null;
  const make = async () => {
    // a cache is used only when its files match the checksum sealed with them; else it is trained again
    if (dir && existsSync(join(dir, 'model.json')) && sealedDirIntact(dir)) return loadLearner(dir, p.model!, ctx);
    const model = await createLearner(p.model!, ctx, new Rng(seed).fork('pretrain-init'));
    const items = fullItems(getSplit(data, split));
    const validation = legacy ? {} : { validation: { samples: getSplit(data, p.splits.reward), batch: p.inferenceBatch, patience: p.finalTraining.patience, includeInitial: false } };
    await trainWithEarlyStopping(model, { epochs: p.initialModel.pretrainEpochs, items: () => items, rng: new Rng(seed).fork('pretrain'), ...validation, ...(stopRequested ? { stopRequested } : {}) });
    if (dir) {
      await model.save(dir);
      sealDir(dir);
    }
    return model;
  };
  // shards of one sweep share the cache: the first to get here trains, the others wait and load
  return dir ? withLockAsync(`${dir}.lock`, make) : make();
}

