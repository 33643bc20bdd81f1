/**
 * What a labelled set is worth: the final training after a budget (docs/method.md §7.3) on a copy of
 * the labelled model — each epoch one crop per labelled image, around one of its labelled regions
 * drawn at random (or every labelled image whole, `items: 'whole-image'`), early stopping on the reward set's mIoU (or a linear lr decay, last weights kept)
 * — then the test. The benchmark's runner calls this once per budget and records what it returns.
 */
import type { Rng } from '../core/rng.ts';
import type { SegSample } from './data/dataset.ts';
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
  /** Progress, once per epoch. */
  readonly onEpoch?: (e: EpochEvent) => void;
}

/** Final-train a copy of `model` on `set` and test it; `model` itself is left as it was. */
export async function finalTrainAndTest(model: SegLearner, set: LabelledSet, o: FinalTrainingSetup, rng: Rng, stopRequested?: () => boolean): Promise<FinalResult> {
  const rule = o.rule;
  const learner = model.clone({ ...(rule.lr !== undefined ? { lr: rule.lr } : {}), ...(rule.batchSize !== undefined ? { batchSize: rule.batchSize } : {}) });
  try {
    const t0 = performance.now();
    const lr0 = rule.lr ?? o.defaultLr;
    const ft = await trainWithEarlyStopping(learner, {
      epochs: rule.epochs,
      items: rule.items === 'whole-image' ? () => set.wholeImages() : (r) => set.itemsOnePerImage(r),
      rng,
      validation: { samples: o.rewardSet, batch: o.inferenceBatch, patience: rule.patience, includeInitial: true },
      ...(stopRequested ? { stopRequested } : {}),
      ...(o.onEpoch ? { onEpoch: o.onEpoch } : {}),
      ...(rule.weightAverage ? { averageKeep: rule.weightAverage } : {}),
      // linear decay to 0 over the epochs (epoch e at lr0·(E − e + 1)/E), the last weights kept
      ...(rule.schedule === 'linear-decay' ? { lrAt: (e: number) => (lr0 * (rule.epochs - e + 1)) / rule.epochs, keepLast: true } : {}),
    });
    const t1 = performance.now();
    const test = segMetrics(await confusionOf(learner, o.testSet, o.inferenceBatch));
    return { test, bestValMIoU: ft.bestValMIoU, bestEpoch: ft.bestEpoch, epochsRun: ft.epochsRun, finalTrainMs: t1 - t0, testMs: performance.now() - t1 };
  } finally {
    learner.dispose();
  }
}
