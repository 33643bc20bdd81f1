/**
 * Final training after the budget (ralis-spec.md §7.3): on every image with labelled regions (each
 * epoch one item per image, cropped around one of its labelled regions drawn at random), early
 * stopping on reward-set mIoU; the best checkpoint is what gets tested.
 */
import type { Rng } from '../env/core/rng.ts';
import type { SegSample } from '../env/data/dataset.ts';
import type { Segmenter } from '../env/learners/unet/learner.ts';
import type { TrainItem } from '../env/learners/batches.ts';
import { segMetrics } from '../env/metrics.ts';
import { regionCentre, splitRegionId, trainingMask, type RegionGrid } from '../env/regions.ts';

export interface FinalTrainingResult {
  bestRewardMIoU: number;
  epochsRun: number;
}

/** Trains `model` in place; on return it holds the best checkpoint. */
export async function finalTraining(
  model: Segmenter,
  pool: readonly SegSample[],
  labeledIds: readonly number[],
  grid: RegionGrid,
  ignore: number,
  rewardSet: readonly SegSample[],
  opts: { epochs: number; patience: number; inferenceBatch: number },
  rng: Rng,
): Promise<FinalTrainingResult> {
  const byImage = new Map<number, number[]>();
  for (const id of labeledIds) {
    const { image, region } = splitRegionId(grid, id);
    (byImage.get(image) ?? byImage.set(image, []).get(image)!).push(region);
  }
  const images = [...byImage.entries()].map(([image, regions]) => ({ sample: pool[image]!, regions, mask: trainingMask(grid, pool[image]!.label, regions, ignore) }));
  let best = segMetrics(await model.evaluate(rewardSet, opts.inferenceBatch)).mIoU;
  const bestModel = model.clone();
  let sinceBest = 0;
  let epoch = 0;
  for (epoch = 1; epoch <= opts.epochs && images.length > 0; epoch++) {
    const items: TrainItem[] = images.map((im) => ({ image: im.sample.image, label: im.mask, anchor: regionCentre(grid, im.regions[rng.int(im.regions.length)]!) }));
    await model.trainEpoch(items, rng);
    const m = segMetrics(await model.evaluate(rewardSet, opts.inferenceBatch)).mIoU;
    if (m > best) {
      best = m;
      bestModel.copyWeightsFrom(model);
      sinceBest = 0;
    } else if (++sinceBest >= opts.patience) break;
  }
  model.copyWeightsFrom(bestModel);
  bestModel.dispose();
  return { bestRewardMIoU: best, epochsRun: Math.min(epoch, opts.epochs) };
}
