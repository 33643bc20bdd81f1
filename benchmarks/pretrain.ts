/** Supervised training of a model on fully labelled images (the pre-trained starting point). */
import type { Rng } from '../env/core/rng.ts';
import type { SegSample } from '../env/data/dataset.ts';
import type { Segmenter } from '../env/learners/unet/learner.ts';

export async function trainSupervisedOn(model: Segmenter, samples: readonly SegSample[], epochs: number, rng: Rng): Promise<void> {
  const items = samples.map((s) => ({ image: s.image, label: s.label }));
  for (let e = 0; e < epochs; e++) await model.trainEpoch(items, rng);
}
