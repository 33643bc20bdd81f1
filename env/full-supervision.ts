/**
 * Full-supervision reference: train the segmentation net on every label of the train split, keep the
 * best checkpoint on val, report test mIoU. This is the upper bound the leaderboard normalises by.
 */
import { Subject } from 'rxjs';
import { Rng } from '../core/rng.ts';
import { getSplit, type SegDataset } from './data/dataset.ts';
import type { LearnerSpec } from './learners/learner.ts';
import { confusionOf } from './learners/evaluate.ts';
import { createLearner, learnerSpecOf } from './learners/registry.ts';
import { DEFAULT_SEG_TRAIN, type SegTrainSettings } from './learners/train-settings.ts';
import { segMetrics, type SegMetrics } from './metrics.ts';
import { trainWithEarlyStopping, type EpochEvent } from './learners/early-stopping.ts';
import { fullItems, initialModel } from './start-model.ts';
import { LabelledSet } from './labelled-set.ts';
import { finalTrainAndTest, finalTrainingSetup } from './final-training.ts';
import { makeGrid } from './regions.ts';
import { segTrainConfig } from './make-env.ts';
import type { Protocol } from './protocol/load.ts';

export interface SupervisedOptions {
  epochs: number;
  seed: number;
  /** The learner (default UNet-S). */
  model?: LearnerSpec;
  train?: Partial<SegTrainSettings>;
  /** Stop after this many epochs without a better val mIoU (Infinity: never). */
  patience?: number;
  /** Where to save the best model (optional). */
  outDir?: string;
  /** The learner's cache directory (a frozen encoder's features). */
  cacheDir?: string | null;
  /** Split to train on (default 'train') and to select the checkpoint on (default 'val'). */
  trainSplit?: 'train' | 'd_t' | 'd_v';
  /** Decay the learning rate linearly to 0 over the epochs and keep the last weights (no early stopping). */
  linearDecay?: boolean;
}

export type SupervisedEpochEvent = EpochEvent;

export interface SupervisedResult {
  dataset: string;
  model: LearnerSpec;
  /** Where the learner's gradients ran (a learner without native training graphs trains on tfjs). */
  training: 'tfjs' | 'ort';
  epochsRun: number;
  bestEpoch: number;
  /** Validation metrics of the kept checkpoint (a protocol-rule bound has only its reward-set mIoU). */
  val: Pick<SegMetrics, 'mIoU'> & Partial<SegMetrics>;
  test: SegMetrics;
  wallMs: number;
  trainImagesPerSec: number;
}

export async function trainSupervised(ds: SegDataset, opts: SupervisedOptions, progress?: Subject<SupervisedEpochEvent>): Promise<SupervisedResult> {
  const t0 = performance.now();
  const rng = new Rng(opts.seed);
  const train = { ...DEFAULT_SEG_TRAIN, ...opts.train };
  const spec = learnerSpecOf(opts.model);
  const model = await createLearner(spec, { data: ds, train, cacheDir: opts.cacheDir ?? null }, rng.fork('init'));
  const items = fullItems(getSplit(ds, opts.trainSplit ?? 'train'));
  const val = getSplit(ds, 'val');
  const test = getSplit(ds, 'test');
  try {
    const r = await trainWithEarlyStopping(model, {
      epochs: opts.epochs,
      items: () => items,
      rng: rng.fork('batches'),
      validation: { samples: val, batch: 8, patience: opts.patience ?? Infinity, includeInitial: false },
      ...(opts.linearDecay ? { lrAt: (e: number) => (train.lr * (opts.epochs - e + 1)) / opts.epochs, keepLast: true } : {}),
      onEpoch: (e) => progress?.next(e),
    });
    if (opts.outDir) await model.save(opts.outDir);
    return {
      dataset: ds.name,
      model: model.spec,
      training: model.trainingEngine,
      epochsRun: r.epochsRun,
      bestEpoch: r.bestEpoch,
      val: segMetrics(await confusionOf(model, val)),
      test: segMetrics(await confusionOf(model, test)),
      wallMs: performance.now() - t0,
      trainImagesPerSec: (items.length * r.epochsRun) / (r.trainMs / 1000),
    };
  } finally {
    progress?.complete();
    model.dispose();
  }
}

/**
 * The bound a protocol's agents can be held to: the episode's own start model (protocol.initialModel)
 * final-trained under the protocol's own rule on every region of the evaluation pool, fully labelled,
 * then tested. Same start, same training, every label: no agent's mean should exceed it.
 */
export async function protocolUpperBound(p: Protocol, ds: SegDataset, seed: number, cacheDir: string | null, progress?: Subject<SupervisedEpochEvent>): Promise<SupervisedResult> {
  const t0 = performance.now();
  const start = (await initialModel(p, ds, seed, cacheDir, 'eval')) ?? (await createLearner(learnerSpecOf(p.model), { data: ds, train: segTrainConfig(p), cacheDir }, new Rng(seed).fork('init')));
  try {
    const pool = getSplit(ds, p.splits.evalPool);
    const grid = makeGrid(ds.height, ds.width, p.regions.height, p.regions.width);
    const set = new LabelledSet(grid, pool, Array.from({ length: pool.length * grid.perImage }, (_, id) => id), ds.numClasses, ds.ignoreIndex);
    const r = await finalTrainAndTest(start, set, { ...finalTrainingSetup(p, ds), ...(progress ? { onEpoch: (e) => progress.next(e) } : {}) }, new Rng(seed).fork('final/all'));
    return {
      dataset: ds.name,
      model: start.spec,
      training: start.trainingEngine,
      epochsRun: r.epochsRun,
      bestEpoch: r.bestEpoch,
      val: { mIoU: r.bestValMIoU },
      test: r.test,
      wallMs: performance.now() - t0,
      trainImagesPerSec: (pool.length * r.epochsRun) / (r.finalTrainMs / 1000),
    };
  } finally {
    progress?.complete();
    start.dispose();
  }
}
