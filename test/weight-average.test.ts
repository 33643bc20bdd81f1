/**
 * finalTraining.weightAverage: early stopping validates and keeps a running average of the epoch-end
 * weights (trainWithEarlyStopping's averageKeep), while training continues on the raw weights.
 */
import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../core/rng.ts';
import { makeSyntheticDataset } from '../env/data/synthetic.ts';
import type { SegDataset } from '../env/data/dataset.ts';
import type { SegLearner, TrainItem } from '../env/learners/learner.ts';
import { createLearner } from '../env/learners/registry.ts';
import { DEFAULT_SEG_TRAIN } from '../env/learners/train-settings.ts';
import { trainWithEarlyStopping } from '../env/learners/early-stopping.ts';
import { maxAbsDiff } from './helpers.ts';

const data: SegDataset = makeSyntheticDataset({ seed: 5, height: 48, width: 64, counts: { d_t: 4, d_s: 1, d_v: 2, val: 2, test: 2 } });
const items = (): TrainItem[] => data.splits.d_t!.map((s) => ({ sample: s, label: s.label, anchor: [24, 32] as const }));
const make = () => createLearner({ name: 'unet-s' }, { data, train: { ...DEFAULT_SEG_TRAIN, lr: 0.05, batchSize: 2, cropHeight: 32, cropWidth: 32 }, cacheDir: null }, new Rng(3));

async function probs(m: SegLearner): Promise<Float32Array> {
  const p = await m.probabilities(data.splits.val!);
  const d = (await p.data()) as Float32Array;
  p.dispose();
  return d;
}

describe('final training with a weight average', function () {
  this.timeout(120000);

  it('returns keep·avg + (1 − keep)·w epoch by epoch, started at the initial weights; training itself runs on w', async () => {
    const model = await make();
    // by hand: two epochs on a copy, the average folded in after each
    const raw = model.clone();
    const avg = model.clone();
    const rng = new Rng(9);
    for (let e = 0; e < 2; e++) {
      await raw.trainEpoch(items(), rng);
      avg.blendWeightsFrom(raw, 0.6);
    }
    const n0 = tf.memory().numTensors;
    const leakProbe = model.clone();
    await trainWithEarlyStopping(leakProbe, { epochs: 1, items, rng: new Rng(1), averageKeep: 0.6 });
    leakProbe.dispose();
    expect(tf.memory().numTensors).to.equal(n0);
    await trainWithEarlyStopping(model, { epochs: 2, items, rng: new Rng(9), averageKeep: 0.6 });
    expect(maxAbsDiff(await probs(model), await probs(avg))).to.be.below(1e-6);
    expect(maxAbsDiff(await probs(model), await probs(raw))).to.be.above(1e-4);
    [model, raw, avg].forEach((m) => m.dispose());
  });

  it('early stopping picks among the averages; keep 0 is the plain rule', async () => {
    const validation = { samples: data.splits.val!, batch: 2, patience: 3, includeInitial: true };
    const a = await make();
    const b = await make();
    const plain = await trainWithEarlyStopping(a, { epochs: 4, items, rng: new Rng(4), validation });
    const zero = await trainWithEarlyStopping(b, { epochs: 4, items, rng: new Rng(4), validation, averageKeep: 0 });
    expect(zero).to.deep.include({ bestValMIoU: plain.bestValMIoU, bestEpoch: plain.bestEpoch, epochsRun: plain.epochsRun });
    expect(maxAbsDiff(await probs(a), await probs(b))).to.equal(0);
    const c = await make();
    const averaged = await trainWithEarlyStopping(c, { epochs: 4, items, rng: new Rng(4), validation, averageKeep: 0.5 });
    expect(averaged.bestValMIoU).to.be.within(0, 1);
    [a, b, c].forEach((m) => m.dispose());
  });

  it('refuses a keep outside [0, 1)', async () => {
    const m = await make();
    for (const keep of [1, -0.1, NaN]) {
      let err: unknown;
      try {
        await trainWithEarlyStopping(m, { epochs: 1, items, rng: new Rng(1), averageKeep: keep });
      } catch (e) {
        err = e;
      }
      expect(String(err)).to.match(/averageKeep must be in \[0, 1\)/);
    }
    m.dispose();
  });
});
