/**
 * Full-supervision reference: train the segmentation net on every label of the train split, keep the
 * best checkpoint on val, report test mIoU. This is the upper bound the leaderboard normalises by.
 */
import { Subject } from 'rxjs';
import { Rng } from '../env/core/rng.ts';
import { getSplit, type SegDataset } from '../env/data/dataset.ts';
import type { TrainItem } from '../env/learners/batches.ts';
import { DEFAULT_SEG_TRAIN, Segmenter, type SegTrainConfig } from '../env/learners/unet/learner.ts';
import { segMetrics, type SegMetrics } from '../env/metrics.ts';

export interface SupervisedOptions {
  epochs: number;
  seed: number;
  train?: Partial<SegTrainConfig>;
  /** Stop after this many epochs without a better val mIoU (Infinity: never). */
  patience?: number;
  /** Where to save the best model (optional). */
  outDir?: string;
}

export interface SupervisedEpochEvent {
  epoch: number;
  epochs: number;
  loss: number;
  valMIoU: number;
  bestValMIoU: number;
  epochMs: number;
}

export interface SupervisedResult {
  dataset: string;
  epochsRun: number;
  bestEpoch: number;
  val: SegMetrics;
  test: SegMetrics;
  wallMs: number;
  trainImagesPerSec: number;
}

export async function trainSupervised(ds: SegDataset, opts: SupervisedOptions, progress?: Subject<SupervisedEpochEvent>): Promise<SupervisedResult> {
  const t0 = performance.now();
  const rng = new Rng(opts.seed);
  const trainCfg = { ...DEFAULT_SEG_TRAIN, ...opts.train };
  const model = Segmenter.create(ds.numClasses, ds.height, ds.width, rng.fork('init'), trainCfg);
  const best = model.clone();
  const items: TrainItem[] = getSplit(ds, 'train').map((s) => ({ image: s.image, label: s.label }));
  const val = getSplit(ds, 'val');
  const test = getSplit(ds, 'test');
  const patience = opts.patience ?? Infinity;
  let bestVal = -1;
  let bestEpoch = 0;
  let epoch = 0;
  let trainMs = 0;
  const shuffleRng = rng.fork('batches');
  try {
    for (epoch = 1; epoch <= opts.epochs; epoch++) {
      const te = performance.now();
      const loss = await model.trainEpoch(items, shuffleRng);
      trainMs += performance.now() - te;
      const valMIoU = segMetrics(await model.evaluate(val)).mIoU;
      if (valMIoU > bestVal) {
        bestVal = valMIoU;
        bestEpoch = epoch;
        best.copyWeightsFrom(model);
      }
      progress?.next({ epoch, epochs: opts.epochs, loss, valMIoU, bestValMIoU: bestVal, epochMs: performance.now() - te });
      if (epoch - bestEpoch >= patience) break;
    }
    if (opts.outDir) await best.save(opts.outDir);
    return {
      dataset: ds.name,
      epochsRun: Math.min(epoch, opts.epochs),
      bestEpoch,
      val: segMetrics(await best.evaluate(val)),
      test: segMetrics(await best.evaluate(test)),
      wallMs: performance.now() - t0,
      trainImagesPerSec: (items.length * Math.min(epoch, opts.epochs)) / (trainMs / 1000),
    };
  } finally {
    progress?.complete();
    model.dispose();
    best.dispose();
  }
}
