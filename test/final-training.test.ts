/**
 * The final training after a budget (env/final-training.ts): with finalTraining.withStartSplit every
 * epoch also trains on the start's split in full, so even an empty labelled set trains.
 */
import { expect } from 'chai';
import { Rng } from '../core/rng.ts';
import { makeSyntheticDataset } from '../env/data/synthetic.ts';
import { createLearner } from '../env/learners/registry.ts';
import { DEFAULT_SEG_TRAIN } from '../env/learners/train-settings.ts';
import { finalTrainAndTest, finalTrainingSetup } from '../env/final-training.ts';
import { LabelledSet } from '../env/labelled-set.ts';
import { makeGrid } from '../env/regions.ts';
import { parseProtocol } from '../env/protocol/load.ts';
import { resolveProtocol } from '../env/make-env.ts';

const data = makeSyntheticDataset({ seed: 5, height: 48, width: 64, counts: { d_t: 3, d_s: 1, d_v: 2, val: 2, test: 2 } });
const base = JSON.parse(JSON.stringify(resolveProtocol('synthetic-frozen-quick')));
const protocol = (withStartSplit: boolean) =>
  parseProtocol({ ...base, initialModel: { ...base.initialModel, evaluation: 'd_t' }, finalTraining: { epochs: 2, patience: 2, items: 'whole-image', ...(withStartSplit ? { withStartSplit } : {}) } });

describe('final training', function () {
  this.timeout(120000);

  it("withStartSplit trains on the start's split besides the labelled regions; without it an empty labelled set trains nothing", async () => {
    const model = await createLearner({ name: 'unet-s' }, { data, train: { ...DEFAULT_SEG_TRAIN, lr: 0.05, batchSize: 2, cropHeight: 32, cropWidth: 32 }, cacheDir: null }, new Rng(3));
    const grid = makeGrid(48, 64, 16, 16);
    const empty = new LabelledSet(grid, data.splits.d_v!, [], data.numClasses, data.ignoreIndex);
    const plain = finalTrainingSetup(protocol(false), data);
    const withStart = finalTrainingSetup(protocol(true), data);
    expect(plain.alongside).to.equal(undefined);
    expect(withStart.alongside).to.equal(data.splits.d_t);
    const none = await finalTrainAndTest(model, empty, plain, new Rng(1));
    expect(none.epochsRun).to.equal(0);
    const some = await finalTrainAndTest(model, empty, withStart, new Rng(1));
    expect(some.epochsRun).to.equal(2);
    model.dispose();
  });
});
