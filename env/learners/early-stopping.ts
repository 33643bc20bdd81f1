/**
 * The one supervised training loop: epochs of `trainEpoch` on the items each epoch draws, optional
 * early stopping on a validation set's mIoU (keep the best checkpoint, stop after `patience` epochs
 * without a better one). Serves the full-supervision upper bound, the pre-trained starting point and
 * the final training after each budget (docs/method.md §7.3).
 */
import type { Rng } from '../../core/rng.ts';
import type { SegSample } from '../data/dataset.ts';
import type { SegLearner, TrainItem } from './learner.ts';
import { confusionOf } from './evaluate.ts';
import { segMetrics } from '../metrics.ts';
import { StopRequestedError } from '../../core/errors.ts';

export interface EpochEvent {
  epoch: number;
  epochs: number;
  loss: number;
  /** Validation mIoU after this epoch (NaN without a validation set). */
  valMIoU: number;
  bestValMIoU: number;
  epochMs: number;
}

export interface EarlyStoppingOptions {
  epochs: number;
  /** Items of one epoch (drawn before its training, from the same rng). */
  items: (rng: Rng) => readonly TrainItem[];
  rng: Rng;
  /** Early stopping on this set's mIoU; absent: train every epoch and keep the last weights. */
  validation?: { samples: readonly SegSample[]; batch: number; patience: number; /** Count the untrained weights as a candidate (epoch 0). */ includeInitial: boolean };
  /** Learning rate per epoch (1-based), set before the epoch trains; absent: the learner's own throughout. */
  lrAt?: (epoch: number) => number;
  /** Keep the last weights and measure the validation set once at the end instead of early stopping. */
  keepLast?: boolean;
  /**
   * Validate, keep and return an exponential moving average of the epoch-end weights instead of the
   * weights themselves: after each epoch avg ← keep·avg + (1 − keep)·w, starting from the initial
   * weights; training itself continues on w. Damps the epoch-to-epoch swing early stopping would
   * otherwise pick from (absent or 0: the raw weights).
   */
  averageKeep?: number;
  onEpoch?: (e: EpochEvent) => void;
  /** Asked before each epoch; true: throw StopRequestedError (the model is left mid-training, for the caller to drop). */
  stopRequested?: () => boolean;
}

export interface EarlyStoppingResult {
  /** Best validation mIoU (NaN without a validation set). */
  bestValMIoU: number;
  /** Epoch of the kept weights (0: the initial ones). */
  bestEpoch: number;
  epochsRun: number;
  /** Time spent in trainEpoch alone. */
  trainMs: number;
}

/** Trains `model` in place; on return it holds the kept checkpoint. */
export async function trainWithEarlyStopping(model: SegLearner, o: EarlyStoppingOptions): Promise<EarlyStoppingResult> {
  const v = o.keepLast ? undefined : o.validation;
  const keep = o.averageKeep ?? 0;
  if (!(keep >= 0 && keep < 1)) throw new RangeError(`averageKeep must be in [0, 1), got ${keep}`);
  // the weights that are validated and kept: the model itself, or its running average
  const average = keep > 0 ? model.clone() : null;
  const candidate = average ?? model;
  const evaluate = async () => segMetrics(await confusionOf(candidate, v!.samples, v!.batch)).mIoU;
  let best = v?.includeInitial ? await evaluate() : -Infinity;
  let bestEpoch = 0;
  let trainMs = 0;
  const bestModel = v ? model.clone() : null;
  let epoch = 0;
  try {
    for (epoch = 1; epoch <= o.epochs; epoch++) {
      if (o.stopRequested?.()) throw new StopRequestedError(`stopped before epoch ${epoch} of ${o.epochs}`);
      const items = o.items(o.rng);
      if (items.length === 0) {
        epoch--; // nothing to train on: this epoch did not run
        break;
      }
      const t0 = performance.now();
      if (o.lrAt) model.setLearningRate(o.lrAt(epoch));
      const loss = await model.trainEpoch(items, o.rng);
      trainMs += performance.now() - t0;
      average?.blendWeightsFrom(model, keep);
      const m = v ? await evaluate() : NaN;
      if (v && m > best) {
        best = m;
        bestEpoch = epoch;
        bestModel!.copyWeightsFrom(candidate);
      }
      if (!v) bestEpoch = epoch;
      o.onEpoch?.({ epoch, epochs: o.epochs, loss, valMIoU: m, bestValMIoU: v ? best : NaN, epochMs: performance.now() - t0 });
      if (v && epoch - bestEpoch >= v.patience) break;
    }
    if (bestModel) model.copyWeightsFrom(bestModel);
    else if (average) model.copyWeightsFrom(average);
    const last = o.keepLast && o.validation ? segMetrics(await confusionOf(model, o.validation.samples, o.validation.batch)).mIoU : NaN;
    return { bestValMIoU: v ? best : last, bestEpoch, epochsRun: Math.min(epoch, o.epochs), trainMs };
  } finally {
    bestModel?.dispose();
    average?.dispose();
  }
}
