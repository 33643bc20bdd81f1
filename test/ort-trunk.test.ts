/**
 * The onnxruntime trunk is a second definition of the net: these tests keep it equal to the tfjs
 * reference (within 1e-4, issue 6), fresh after weight updates, and equal in what the env does with it.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../core/rng.ts';
import { BackendError } from '../core/errors.ts';
import { UNetLearner } from '../env/learners/unet/learner.ts';
import { initInference, inferenceInUse, nativeInference } from '../compute/inference.ts';
import { nativeLabels } from '../env/learners/unet/native.ts';
import { confusionOf } from '../env/learners/evaluate.ts';
import { pixelBald } from '../env/scores/bald.ts';
import { regionScore } from '../env/scores/registry.ts';
import { makeSyntheticDataset } from '../env/data/synthetic.ts';
import { EntropyAgent } from '../baselines/entropy.ts';
import { maxAbsDiff } from './helpers.ts';
import { onEngine } from './helpers.ts';
import { tinyEnv } from './env-fixture.ts';
import { BaldAgent } from '../baselines/bald.ts';
import { disposeOutputs, regionOutputs } from '../env/observation.ts';
import type { SegSample } from '../env/data/dataset.ts';
import { makeGrid } from '../env/regions.ts';


/** Samples whose pixels normalise to `px` are not at hand: random images, and their normalised pixels. */
function randomImages(n: number, h: number, w: number, seed: number): SegSample[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, (_, i) => ({ id: `r${i}`, image: Uint8Array.from({ length: h * w * 3 }, () => rng.int(256)), label: new Uint8Array(h * w) }));
}

const features = (m: UNetLearner, images: readonly SegSample[]) => m.trunkFeatures(images).then((t) => {
  const d = t.dataSync().slice() as Float32Array;
  t.dispose();
  return d;
});

/** Per-pixel BALD of T passes on the engine in use. */
async function bald(m: UNetLearner, images: readonly SegSample[], passes: number, rng: Rng): Promise<Float32Array> {
  const mo = await m.mcMoments(images, passes, rng);
  const b = pixelBald(mo.meanProbs, mo.meanEntropy);
  const out = b.dataSync().slice() as Float32Array;
  tf.dispose([b, mo.meanProbs, mo.meanEntropy]);
  return out;
}

describe('onnxruntime trunk (inference engine "ort")', () => {
  it('loads, and rejects unknown engines and bad thread counts naming the value', async () => {
    expect(await initInference('ort', { threads: 1 })).to.equal('ort');
    expect(inferenceInUse()).to.equal('ort');
    expect(await initInference('tfjs')).to.equal('tfjs');
    expect(inferenceInUse()).to.equal('tfjs');
    await initInference('gpu' as never).then(
      () => expect.fail('accepted an unknown engine'),
      (e: Error) => expect(e).to.be.instanceOf(BackendError).and.have.property('message').that.includes("'gpu'"),
    );
    await initInference('ort', { threads: 0 }).then(
      () => expect.fail('accepted 0 threads'),
      (e: Error) => expect(e.message).to.include('got 0'),
    );
  });

  for (const [h, w] of [[32, 48], [72, 96]] as const) {
    it(`features equal the tfjs trunk within 1e-4 (${h}×${w}, batch 3), bitwise repeatable`, async () => {
      const m = UNetLearner.create(11, h, w, new Rng(h));
      const px = randomImages(3, h, w, w);
      const ref = await features(m, px);
      const [a, b] = await onEngine('ort', async () => [await features(m, px), await features(m, px)]);
      expect(maxAbsDiff(ref, a!)).to.be.below(1e-4);
      expect(maxAbsDiff(a!, b!)).to.equal(0);
      m.dispose();
    });
  }

  it('one thread and two worker threads give the same features, labels and BALD, bit for bit', async () => {
    const m = UNetLearner.create(11, 32, 48, new Rng(9));
    const images = randomImages(5, 32, 48, 10);
    const run = async (threads: number) => {
      await initInference('ort', { threads });
      try {
        // an odd number of passes: unequal groups
        return { f: await features(m, images), labels: await nativeLabels(nativeInference()!, m, m.pixels(images), 5), bald: await bald(m, images, 5, new Rng(11)) };
      } finally {
        await initInference('tfjs');
      }
    };
    const [one, two] = [await run(1), await run(2)];
    expect(Buffer.compare(Buffer.from(one.f.buffer), Buffer.from(two.f.buffer))).to.equal(0);
    expect(Array.from(two.labels)).to.deep.equal(Array.from(one.labels));
    expect(Buffer.compare(Buffer.from(one.bald.buffer), Buffer.from(two.bald.buffer))).to.equal(0);
    m.dispose();
  });

  it('a process that used the worker threads exits by itself when its work is done', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'test/fixtures/ort-pool-exit.ts'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.signal, 'killed by the timeout: the process hung').to.equal(null);
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout.trim()).to.equal('1x32x48x16');
  });

  it('follows weight updates (no stale session): after training, ort equals tfjs on the new weights', async () => {
    const ds = makeSyntheticDataset({ seed: 5, height: 32, width: 48, counts: { d_t: 4, d_s: 0, d_v: 0, val: 2, test: 0 } });
    const m = UNetLearner.create(11, 32, 48, new Rng(1), { optimizer: 'sgd' as const, lr: 0.05, momentum: 0.9, weightDecay: 0, clipNorm: 4, batchSize: 4, cropHeight: 32, cropWidth: 32, flip: false });
    const px = ds.splits.val!;
    const [before, viaOrt] = await onEngine('ort', async () => {
      const first = await features(m, px); // builds a session for the initial weights
      await m.trainEpoch(ds.splits.d_t!.map((s) => ({ sample: s, label: s.label })), new Rng(2));
      return [first, await features(m, px)];
    });
    const ref = await features(m, px);
    expect(maxAbsDiff(before!, viaOrt!)).to.be.above(1e-3); // training changed the features
    expect(maxAbsDiff(ref, viaOrt!)).to.be.below(1e-4);
    const probsRef = await m.probabilities(ds.splits.val!);
    const probsOrt = await onEngine('ort', () => m.probabilities(ds.splits.val!));
    expect(maxAbsDiff(probsRef.dataSync(), probsOrt.dataSync())).to.be.below(1e-4);
    tf.dispose([probsRef, probsOrt]);
    m.dispose();
  });

  it('evaluation (whole net + argmax natively) gives the tfjs confusion matrix after training', async () => {
    const ds = makeSyntheticDataset({ seed: 8, height: 32, width: 48, counts: { d_t: 6, d_s: 0, d_v: 0, val: 5, test: 0 } });
    const m = UNetLearner.create(11, 32, 48, new Rng(3), { optimizer: 'sgd' as const, lr: 0.05, momentum: 0.9, weightDecay: 0, clipNorm: 4, batchSize: 6, cropHeight: 32, cropWidth: 32, flip: false });
    for (let e = 0; e < 3; e++) await m.trainEpoch(ds.splits.d_t!.map((s) => ({ sample: s, label: s.label })), new Rng(e));
    const ref = await confusionOf(m, ds.splits.val!, 2);
    const viaOrt = await onEngine('ort', () => confusionOf(m, ds.splits.val!, 2));
    const total = ref.counts.reduce((a, b) => a + b, 0);
    expect(total).to.be.above(0);
    expect(viaOrt.counts.reduce((a, b) => a + b, 0)).to.equal(total);
    expect(new Set(Array.from(ref.counts, (c, i) => (c > 0 ? i % 11 : -1))).size).to.be.above(2); // several classes predicted
    expect(Array.from(viaOrt.counts)).to.deep.equal(Array.from(ref.counts));
    m.dispose();
  });

  it('BALD (T = 6 MC-dropout passes) equals the tfjs reference within 1e-5 and draws the same seeds', async () => {
    const m = UNetLearner.create(11, 32, 48, new Rng(4));
    const images = randomImages(3, 32, 48, 5);
    const [rngRef, rngOrt] = [new Rng(6), new Rng(6)];
    const r = await bald(m, images, 6, rngRef);
    const o = await onEngine('ort', () => bald(m, images, 6, rngOrt));
    expect(o.length).to.equal(3 * 32 * 48);
    expect(Math.max(...r)).to.be.above(0.01); // the passes disagree somewhere: a real test of the sums
    expect(maxAbsDiff(r, o)).to.be.below(1e-5);
    expect(rngOrt.nextUint32()).to.equal(rngRef.nextUint32());
    m.dispose();
  });

  for (const [h, w, rh, rw] of [[32, 48, 16, 16], [72, 96, 18, 16]] as const)
  it(`region features of the native pass equal the tfjs ones: entropies within 1e-4, class counts but for near-ties (≤ 1‰ of pixels) (${h}×${w}, regions ${rh}×${rw})`, async () => {
    const m = UNetLearner.create(11, h, w, new Rng(rh));
    const rng = new Rng(w);
    const images = Array.from({ length: 3 }, (_, i) => ({ id: `${i}`, image: Uint8Array.from({ length: h * w * 3 }, () => rng.int(256)), label: new Uint8Array(h * w) }));
    const grid = makeGrid(h, w, rh, rw);
    const stats = async () => {
      const s = await regionOutputs(m, images, grid, 2, [regionScore('entropy')], null);
      const out = { features: s.rows.dataSync() as Float32Array, meanEntropy: s.stats.get('entropy')!.dataSync() as Float32Array, cols: s.rows.shape[1] };
      disposeOutputs(s);
      return out;
    };
    const ref = await stats();
    const viaOrt = await onEngine('ort', stats);
    expect(viaOrt.features.length).to.equal(ref.features.length);
    const counts = (f: Float32Array) => Array.from(f).filter((_, i) => i % ref.cols < 12);
    // argmax may flip where two classes' probabilities tie within rounding: rare, one pixel moves one count
    const [co, cr] = [counts(viaOrt.features), counts(ref.features)];
    const flipped = co.reduce((n, c, i) => n + Math.abs(Math.round(c) - Math.round(cr[i]!)), 0) / 2;
    expect(flipped).to.be.at.most(3 * h * w * 1e-3);
    expect(new Set(cr.map((c, i) => (c >= 1 ? i % 12 : -1))).size).to.be.above(2); // several classes predicted
    const entropyCols = (f: Float32Array) => Array.from(f).filter((_, i) => i % ref.cols >= 12);
    expect(maxAbsDiff(entropyCols(viaOrt.features), entropyCols(ref.features))).to.be.below(1e-4);
    expect(maxAbsDiff(viaOrt.meanEntropy, ref.meanEntropy)).to.be.below(1e-4);
    m.dispose();
  });

  for (const [name, makeAgent, statistics] of [['entropy', () => new EntropyAgent(), []], ['bald', () => new BaldAgent(), ['bald']]] as const)
  it(`a ${name} episode takes the same actions and rewards within 1e-3 on either engine, without leaking tensors`, async () => {
    const episode = async () => {
      const env = tinyEnv({ budgetRegions: 9, statistics, mcPasses: 8 });
      const agent = makeAgent();
      const rng = new Rng(0);
      const before = tf.memory().numTensors;
      let [obs, info] = await env.reset({ seed: 3 });
      const actions: number[] = [];
      const rewards: number[] = [];
      for (let done = false; !done; ) {
        const a = await agent.act(obs, info, rng);
        actions.push(...a);
        const [o, r, term, trunc, i] = await env.step(a);
        rewards.push(r);
        [obs, info, done] = [o, i, term || trunc];
      }
      env.close();
      expect(tf.memory().numTensors).to.equal(before);
      return { actions, rewards };
    };
    const ref = await episode();
    const ort = await onEngine('ort', episode);
    expect(ort.actions).to.deep.equal(ref.actions);
    expect(maxAbsDiff(ort.rewards, ref.rewards)).to.be.below(1e-3);
  });
});
