/**
 * The SegLearner contract (env/learners/learner.ts), run against every registered learner on both
 * inference engines: shapes, probabilities summing to 1, no update from an all-ignored item list,
 * save → load, independent clones, exact state restore, no tensor leak, seeded determinism, and the
 * native engine equal to tfjs within 1e-4.
 */
import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../core/rng.ts';
import { makeSyntheticDataset } from '../env/data/synthetic.ts';
import type { SegDataset, SegSample } from '../env/data/dataset.ts';
import type { SegLearner, TrainItem } from '../env/learners/learner.ts';
import { createLearner, learnerNames, loadLearner } from '../env/learners/registry.ts';
import { DEFAULT_SEG_TRAIN } from '../env/learners/train-settings.ts';
import { centernetDir } from '../env/learners/frozen-encoder/encoder.ts';
import { initInference } from '../compute/inference.ts';
import { maxAbsDiff, tempDir } from './helpers.ts';
import { onEngine } from './helpers.ts';

// 48×64 keeps the encoder's 3:4 input exact (one stride-8 cell per pixel) and UNet's levels divisible
const data: SegDataset = makeSyntheticDataset({ seed: 21, height: 48, width: 64, counts: { d_t: 4, d_s: 1, d_v: 2, val: 2, test: 2 } });
const samples = (): readonly SegSample[] => data.splits.val!;
const items = (): TrainItem[] => data.splits.d_t!.map((s) => ({ sample: s, label: s.label, anchor: [24, 32] as const }));

const SPECS: Record<string, { spec: { name: string; [k: string]: unknown }; train: typeof DEFAULT_SEG_TRAIN; available: () => boolean }> = {
  'unet-s': { spec: { name: 'unet-s' }, train: { ...DEFAULT_SEG_TRAIN, lr: 0.05, batchSize: 2, cropHeight: 32, cropWidth: 32 }, available: () => true },
  'frozen-encoder': { spec: { name: 'frozen-encoder', head: 'mlp', hidden: 16, dropout: 0.3, featureCache: false }, train: { ...DEFAULT_SEG_TRAIN, optimizer: 'adam', lr: 0.01, batchSize: 2, cropHeight: 24, cropWidth: 24, flip: false }, available: () => centernetDir() !== null },
  // every head: the linear one too
  'frozen-encoder (linear head)': { spec: { name: 'frozen-encoder', head: 'linear', dropout: 0.3, featureCache: false }, train: { ...DEFAULT_SEG_TRAIN, optimizer: 'adam', lr: 0.01, batchSize: 2, cropHeight: 24, cropWidth: 24, flip: false }, available: () => centernetDir() !== null },
};

async function bits(t: tf.Tensor | Promise<tf.Tensor>): Promise<Float32Array> {
  const x = await t;
  const d = (await x.data()) as Float32Array;
  x.dispose();
  return d;
}


describe('SegLearner contract (every registered learner)', function () {
  this.timeout(300000);

  it('covers every registered learner', () => {
    expect(learnerNames().sort()).to.deep.equal([...new Set(Object.values(SPECS).map((x) => x.spec.name))].sort());
  });

  for (const [name, { spec, train, available }] of Object.entries(SPECS)) {
    describe(name, () => {
      const make = (seed: number) => createLearner(spec, { data, train, cacheDir: null }, new Rng(seed));
      before(function () {
        if (!available()) this.skip();
      });

      it('shapes; probabilities sum to 1; labels are their argmax', async () => {
        const m = await make(1);
        const p = await m.probabilities(samples());
        expect(p.shape).to.deep.equal([2, 48, 64, 11]);
        const sums = await bits(tf.sum(p, -1));
        expect(maxAbsDiff(sums, new Float32Array(sums.length).fill(1))).to.be.below(1e-5);
        const argmax = Int32Array.from(await bits(tf.cast(tf.argMax(p, 3), 'float32')));
        const labels = await m.predictLabels(samples());
        expect(labels.length).to.equal(2 * 48 * 64);
        const agree = labels.filter((l, i) => l === argmax[i]).length / labels.length;
        expect(agree).to.be.above(0.999);
        const mc = await m.mcMoments(samples(), 3, new Rng(2));
        expect(mc.meanProbs.shape).to.deep.equal([2, 48, 64, 11]);
        expect(mc.meanEntropy.shape).to.deep.equal([2, 48, 64]);
        const e = await m.embeddings(samples());
        expect(e.features.shape[0]).to.equal(2);
        expect(e.probs.shape.slice(0, 3)).to.deep.equal(e.features.shape.slice(0, 3));
        expect(e.cellH * e.features.shape[1]).to.be.closeTo(48, 1e-9);
        tf.dispose([p, mc.meanProbs, mc.meanEntropy, e.features, e.probs]);
        m.dispose();
      });

      it('an all-ignored item list changes nothing and draws nothing', async () => {
        const m = await make(3);
        const before = await bits(m.probabilities(samples()));
        const rng = new Rng(4);
        const ignored = items().map((it) => ({ ...it, label: new Uint8Array(it.label.length).fill(11) }));
        await m.trainEpoch(ignored, rng);
        expect(maxAbsDiff(before, await bits(m.probabilities(samples())))).to.equal(0);
        expect(rng.nextUint32()).to.equal(new Rng(4).nextUint32());
        m.dispose();
      });

      it('training changes the predictions; save → load gives identical predictions', async () => {
        const m = await make(5);
        const before = await bits(m.probabilities(samples()));
        await m.trainEpoch(items(), new Rng(6));
        const after = await bits(m.probabilities(samples()));
        expect(maxAbsDiff(before, after)).to.be.above(1e-4);
        const dir = tempDir();
        await m.save(dir);
        const loaded = await loadLearner(dir, spec, { data, train, cacheDir: null });
        expect(maxAbsDiff(after, await bits(loaded.probabilities(samples())))).to.equal(0);
        loaded.dispose();
        m.dispose();
      });

      it('a clone is independent; restore puts weights and optimizer state back bit for bit', async () => {
        const m = await make(7);
        await m.trainEpoch(items(), new Rng(8)); // optimizer state is non-zero now
        const c = m.clone();
        const ref = await bits(c.probabilities(samples()));
        await m.trainEpoch(items(), new Rng(9));
        expect(maxAbsDiff(ref, await bits(c.probabilities(samples())))).to.equal(0);
        const state = m.saveState();
        const before = await bits(m.probabilities(samples()));
        const v0 = m.weightsVersion;
        await m.trainEpoch(items(), new Rng(10));
        m.restore(state);
        expect(m.weightsVersion).to.not.equal(v0);
        expect(maxAbsDiff(before, await bits(m.probabilities(samples())))).to.equal(0);
        // the same step from the restored state gives the same weights as from the original
        const probe = m.clone();
        probe.copyWeightsFrom(m);
        await m.trainEpoch(items(), new Rng(11));
        const once = await bits(m.probabilities(samples()));
        m.restore(state);
        await m.trainEpoch(items(), new Rng(11));
        expect(maxAbsDiff(once, await bits(m.probabilities(samples())))).to.equal(0);
        m.disposeState(state);
        tf.dispose([]);
        [m, c, probe].forEach((x) => x.dispose());
      });

      it('blendWeightsFrom: keep 1 changes nothing, keep 0 copies, keep ½ lands between; no tensor leak', async () => {
        const a = await make(21);
        const b = a.clone();
        await b.trainEpoch(items(), new Rng(22));
        const pa = await bits(a.probabilities(samples()));
        const pb = await bits(b.probabilities(samples()));
        expect(maxAbsDiff(pa, pb)).to.be.greaterThan(0);
        const n0 = tf.memory().numTensors;
        const c = a.clone();
        c.blendWeightsFrom(b, 1);
        expect(maxAbsDiff(pa, await bits(c.probabilities(samples())))).to.equal(0);
        const v0 = c.weightsVersion;
        c.blendWeightsFrom(b, 0.5);
        expect(c.weightsVersion).to.not.equal(v0);
        const half = await bits(c.probabilities(samples()));
        expect(maxAbsDiff(half, pa)).to.be.greaterThan(0);
        expect(maxAbsDiff(half, pb)).to.be.greaterThan(0);
        c.blendWeightsFrom(b, 0);
        expect(maxAbsDiff(pb, await bits(c.probabilities(samples())))).to.be.lessThan(1e-6);
        c.dispose();
        expect(tf.memory().numTensors).to.equal(n0);
        [a, b].forEach((x) => x.dispose());
      });

      it('no tensor leak over train + predict + MC passes + embeddings; dispose is idempotent', async () => {
        const m = await make(12);
        const run = async () => {
          await m.trainEpoch(items(), new Rng(13));
          tf.dispose(await m.probabilities(samples()));
          await m.predictLabels(samples());
          const mc = await m.mcMoments(samples(), 2, new Rng(14));
          const e = await m.embeddings(samples());
          tf.dispose([mc.meanProbs, mc.meanEntropy, e.features, e.probs]);
          m.disposeState(m.saveState());
        };
        await run();
        const before = tf.memory().numTensors;
        await run();
        expect(tf.memory().numTensors).to.equal(before);
        const all = tf.memory().numTensors;
        m.dispose();
        m.dispose();
        expect(tf.memory().numTensors).to.be.below(all);
      });

      it('same seed ⇒ same bits (init, training, MC passes)', async () => {
        const run = async () => {
          const m = await make(15);
          await m.trainEpoch(items(), new Rng(16));
          const mc = await m.mcMoments(samples(), 3, new Rng(17));
          const out = [await bits(m.probabilities(samples())), await bits(mc.meanProbs), await bits(mc.meanEntropy)];
          m.dispose();
          return out;
        };
        const [a, b] = [await run(), await run()];
        a.forEach((x, i) => expect(maxAbsDiff(x, b[i]!)).to.equal(0));
      });

      it('on the native engine: probabilities, labels, MC moments and reductions within 1e-4 of tfjs', async () => {
        const m = await make(18);
        await m.trainEpoch(items(), new Rng(19));
        const ref = { p: await bits(m.probabilities(samples())), l: await m.predictLabels(samples()) };
        const refMc = await m.mcMoments(samples(), 4, new Rng(20));
        const refMcBits = [await bits(refMc.meanProbs), await bits(refMc.meanEntropy)];
        const nat = await onEngine('ort', async () => {
          const mc = await m.mcMoments(samples(), 4, new Rng(20));
          return { p: await bits(m.probabilities(samples())), l: await m.predictLabels(samples()), mc: [await bits(mc.meanProbs), await bits(mc.meanEntropy)] };
        });
        expect(maxAbsDiff(ref.p, nat.p)).to.be.below(1e-4);
        expect(nat.l.filter((l, i) => l !== ref.l[i]).length / ref.l.length).to.be.below(1e-3); // argmax near-ties only
        refMcBits.forEach((x, i) => expect(maxAbsDiff(x, nat.mc[i]!)).to.be.below(1e-4));
        m.dispose();
      });
    });
  }
});

export type { SegLearner };
