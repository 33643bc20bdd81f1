/** Confusion matrix of a learner's eval-mode predictions over samples, `batchSize` images at a time. */
import type { SegSample } from '../data/dataset.ts';
import { ConfusionMatrix } from '../metrics.ts';
import type { SegLearner } from './learner.ts';

export async function confusionOf(learner: SegLearner, samples: readonly SegSample[], batchSize = 8): Promise<ConfusionMatrix> {
  if (learner.confusion) return learner.confusion(samples, batchSize);
  const cm = new ConfusionMatrix(learner.numClasses);
  const hw = learner.height * learner.width;
  for (let i = 0; i < samples.length; i += batchSize) {
    const batch = samples.slice(i, i + batchSize);
    const pred = await learner.predictLabels(batch);
    batch.forEach((s, b) => cm.addArrays(pred.subarray(b * hw, (b + 1) * hw), s.label));
  }
  return cm;
}
