/**
 * What a labelled set is worth: the final training after a budget (docs/method.md §7.3) on a copy of
 * the labelled model — each epoch one crop per labelled image, around one of its labelled regions
 * drawn at random (or every labelled image whole, `items: 'whole-image'`; with `withStartSplit` the
 * start's fully labelled split as well), early stopping on the reward set's mIoU (or a linear lr decay, last weights kept)
 * — then the test. The benchmark's runner calls this once per budget and records what it returns.
 */
import type { Rng } from '../core/rng.ts';
import { getSplit, type SegDataset, type SegSample, type SplitName } from './data/dataset.ts';
import { fullItems } from './start-model.ts';
import type { SegLearner } from './learners/learner.ts';
import { confusionOf } from './learners/evaluate.ts';
import { trainWithEarlyStopping, type EpochEvent } from './learners/early-stopping.ts';
import { segMetrics, type SegMetrics } from './metrics.ts';
import type { LabelledSet } from './labelled-set.ts';
import type { Protocol } from './protocol/load.ts';

export interface FinalResult {
  readonly test: SegMetrics;
  /** Reward-set mIoU of the kept checkpoint. */
  readonly bestValMIoU: number;
  /** Epoch of the kept checkpoint (0: the model as it came in). */
  readonly bestEpoch: number;
  readonly epochsRun: number;
  readonly finalTrainMs: number;
  readonly testMs: number;
}

export interface FinalTrainingSetup {
  /** The protocol's rule; `lr` defaults to `defaultLr` (the labelling loop's). */
  readonly rule: Protocol['finalTraining'];
  readonly defaultLr: number;
  readonly inferenceBatch: number;
  readonly rewardSet: readonly SegSample[];
  readonly testSet: readonly SegSample[];
  /** Fully labelled images every epoch trains on besides the labelled set (rule.withStartSplit: the start's split). */
  readonly alongside?: readonly SegSample[];
  /** Progress, once per epoch. */
  readonly onEpoch?: (e: EpochEvent) => void;
}

/** A protocol's final-training setup on its data set: its rule, reward and test sets, and the start's split when the rule trains on it too. */
export function finalTrainingSetup(p: Protocol, data: SegDataset): FinalTrainingSetup {
  return {
    rule: p.finalTraining,
    defaultLr: p.segmentation.lr,
    inferenceBatch: p.inferenceBatch,
    rewardSet: getSplit(data, p.splits.reward),
    testSet: getSplit(data, p.splits.test),
    // parseProtocol checked that the start is a split's then
    ...(p.finalTraining.withStartSplit ? { alongside: getSplit(data, p.initialModel.evaluation as SplitName) } : {}),
  };
}

/** Final-train a copy of `model` on `set` and test it; `model` itself is left as it was. */
export async function finalTrainAndTest(model: SegLearner, set: LabelledSet, o: FinalTrainingSetup, rng: Rng, stopRequested?: () => boolean): Promise<FinalResult> {
  const rule = o.rule;
  const learner = model.clone({ ...(rule.lr !== undefined ? { lr: rule.lr } : {}), ...(rule.batchSize !== undefined ? { batchSize: rule.batchSize } : {}) });
  try {
    const t0 = performance.now();
    const lr0 = rule.lr ?? o.defaultLr;
    const alongside = fullItems(o.alongside ?? []);
    const ft = await trainWithEarlyStopping(learner, {
      epochs: rule.epochs,
      items: rule.items === 'whole-image' ? () => [...alongside, ...set.wholeImages()] : (r) => [...alongside, ...set.itemsOnePerImage(r)],
      rng,
      validation: { samples: o.rewardSet, batch: o.inferenceBatch, patience: rule.patience, includeInitial: true },
      ...(stopRequested ? { stopRequested } : {}),
      ...(o.onEpoch ? { onEpoch: o.onEpoch } : {}),
      ...(rule.weightAverage ? { averageKeep: rule.weightAverage } : {}),
      // linear decay to 0 over the epochs (epoch e at lr0·(E − e + 1)/E), the last weights kept
      ...(rule.schedule === 'linear-decay' ? { lrAt: (e: number) => (lr0 * (rule.epochs - e + 1)) / rule.epochs, keepLast: true } : {}),
      // warm-up: epoch e ≤ W at lr0·e/(W + 1), so Adam's first, sign-sized steps do not jolt a trained start
      ...(rule.warmupEpochs ? { lrAt: (e: number) => lr0 * Math.min(1, e / (rule.warmupEpochs! + 1)) } : {}),
    });
    const t1 = performance.now();
    const test = segMetrics(await confusionOf(learner, o.testSet, o.inferenceBatch));
    return { test, bestValMIoU: ft.bestValMIoU, bestEpoch: ft.bestEpoch, epochsRun: ft.epochsRun, finalTrainMs: t1 - t0, testMs: performance.now() - t1 };
  } finally {
    learner.dispose();
  }
}
