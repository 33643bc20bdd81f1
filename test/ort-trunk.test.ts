/**
 * The onnxruntime trunk is a second definition of the net: these tests keep it equal to the tfjs
 * reference (within 1e-4, issue 6), fresh after weight updates, and equal in what the env does with it.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../env/core/rng.ts';
import { BackendError } from '../env/core/errors.ts';
import { Segmenter } from '../env/learners/unet/learner.ts';
import { activeOrt, initInference, inferenceInUse, trunkFeatures } from '../compute/inference.ts';
import { makeSyntheticDataset } from '../env/data/synthetic.ts';
import { EntropyAgent } from '../agents/baselines/entropy.ts';
import { maxAbsDiff } from './helpers.ts';
import { tinyEnv } from './env-fixture.ts';
import { mcDropoutBaldFromTrunk, mcDropoutBaldOnEngine } from '../env/uncertainty.ts';
import { BaldAgent } from '../agents/baselines/bald.ts';
import { imageRegionStats } from '../env/observation.ts';
import { makeGrid } from '../env/regions.ts';

async function onEngine<T>(name: 'tfjs' | 'ort', fn: () => Promise<T>): Promise<T> {
  await initInference(name, { threads: 2 });
  try {
    return await fn();
  } finally {
    await initInference('tfjs');
  }
}

const features = (m: Segmenter, px: Float32Array, b: number) => trunkFeatures(m, px, b).then((t) => {
  const d = t.dataSync().slice() as Float32Array;
  t.dispose();
  return d;
});

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
      const m = Segmenter.create(11, h, w, new Rng(h));
      const rng = new Rng(w);
      const px = Float32Array.from({ length: 3 * h * w * 3 }, () => rng.next() * 4 - 2);
      const ref = await features(m, px, 3);
      const [a, b] = await onEngine('ort', async () => [await features(m, px, 3), await features(m, px, 3)]);
      expect(maxAbsDiff(ref, a!)).to.be.below(1e-4);
      expect(maxAbsDiff(a!, b!)).to.equal(0);
      m.dispose();
    });
  }

  it('one thread and two worker threads give the same features, labels and BALD, bit for bit', async () => {
    const m = Segmenter.create(11, 32, 48, new Rng(9));
    const rng = new Rng(10);
    const px = Float32Array.from({ length: 5 * 32 * 48 * 3 }, () => rng.next() * 4 - 2);
    const run = async (threads: number) => {
      await initInference('ort', { threads });
      try {
        const f = await trunkFeatures(m, px, 5);
        const bald = await mcDropoutBaldOnEngine(m, f, 5, new Rng(11)); // an odd number of passes: unequal groups
        const out = { f: f.dataSync().slice() as Float32Array, labels: await activeOrt()!.labels(m, px, 5), bald: bald.dataSync().slice() as Float32Array };
        tf.dispose([f, bald]);
        return out;
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
    const m = Segmenter.create(11, 32, 48, new Rng(1), { lr: 0.05, momentum: 0.9, weightDecay: 0, clipNorm: 4, batchSize: 4, cropHeight: 32, cropWidth: 32, flip: false });
    const px = m.pixels(ds.splits.val!);
    const [before, viaOrt] = await onEngine('ort', async () => {
      const first = await features(m, px, 2); // builds a session for the initial weights
      await m.trainEpoch(ds.splits.d_t!.map((s) => ({ image: s.image, label: s.label })), new Rng(2));
      return [first, await features(m, px, 2)];
    });
    const ref = await features(m, px, 2);
    expect(maxAbsDiff(before!, viaOrt!)).to.be.above(1e-3); // training changed the features
    expect(maxAbsDiff(ref, viaOrt!)).to.be.below(1e-4);
    const probsRef = await m.predictProbs(ds.splits.val!);
    const probsOrt = await onEngine('ort', () => m.predictProbs(ds.splits.val!));
    expect(maxAbsDiff(probsRef.dataSync(), probsOrt.dataSync())).to.be.below(1e-4);
    tf.dispose([probsRef, probsOrt]);
    m.dispose();
  });

  it('evaluation (whole net + argmax natively) gives the tfjs confusion matrix after training', async () => {
    const ds = makeSyntheticDataset({ seed: 8, height: 32, width: 48, counts: { d_t: 6, d_s: 0, d_v: 0, val: 5, test: 0 } });
    const m = Segmenter.create(11, 32, 48, new Rng(3), { lr: 0.05, momentum: 0.9, weightDecay: 0, clipNorm: 4, batchSize: 6, cropHeight: 32, cropWidth: 32, flip: false });
    for (let e = 0; e < 3; e++) await m.trainEpoch(ds.splits.d_t!.map((s) => ({ image: s.image, label: s.label })), new Rng(e));
    const ref = await m.evaluate(ds.splits.val!, 2);
    const viaOrt = await onEngine('ort', () => m.evaluate(ds.splits.val!, 2));
    const total = ref.counts.reduce((a, b) => a + b, 0);
    expect(total).to.be.above(0);
    expect(viaOrt.counts.reduce((a, b) => a + b, 0)).to.equal(total);
    expect(new Set(Array.from(ref.counts, (c, i) => (c > 0 ? i % 11 : -1))).size).to.be.above(2); // several classes predicted
    expect(Array.from(viaOrt.counts)).to.deep.equal(Array.from(ref.counts));
    m.dispose();
  });

  it('BALD (T = 6 MC-dropout passes) equals the tfjs reference within 1e-5 and draws the same seeds', async () => {
    const m = Segmenter.create(11, 32, 48, new Rng(4));
    const f = tf.relu(tf.randomNormal([3, 32, 48, 16], 0, 2, 'float32', 5)) as tf.Tensor4D;
    const [rngRef, rngOrt] = [new Rng(6), new Rng(6)];
    const ref = mcDropoutBaldFromTrunk(m.params, f, 6, rngRef);
    const viaOrt = await onEngine('ort', () => mcDropoutBaldOnEngine(m, f, 6, rngOrt));
    expect(viaOrt.shape).to.deep.equal([3, 32, 48]);
    const [r, o] = [ref.dataSync(), viaOrt.dataSync()];
    expect(Math.max(...r)).to.be.above(0.01); // the passes disagree somewhere: a real test of the sums
    expect(maxAbsDiff(r, o)).to.be.below(1e-5);
    expect(rngOrt.nextUint32()).to.equal(rngRef.nextUint32());
    tf.dispose([f, ref, viaOrt]);
    m.dispose();
  });

  for (const [h, w, rh, rw] of [[32, 48, 16, 16], [72, 96, 18, 16]] as const)
  it(`region features of the native pass equal the tfjs ones: entropies within 1e-4, class counts but for near-ties (≤ 1‰ of pixels) (${h}×${w}, regions ${rh}×${rw})`, async () => {
    const m = Segmenter.create(11, h, w, new Rng(rh));
    const rng = new Rng(w);
    const images = Array.from({ length: 3 }, (_, i) => ({ id: `${i}`, image: Uint8Array.from({ length: h * w * 3 }, () => rng.int(256)), label: new Uint8Array(h * w) }));
    const grid = makeGrid(h, w, rh, rw);
    const stats = async () => {
      const s = await imageRegionStats(m, images, grid, 2, null);
      const out = { features: s.features.dataSync() as Float32Array, meanEntropy: s.meanEntropy.dataSync() as Float32Array, cols: s.features.shape[1] };
      tf.dispose([s.features, s.meanEntropy]);
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

  for (const [name, makeAgent, baldPasses] of [['entropy', () => new EntropyAgent(), 0], ['bald', () => new BaldAgent(), 8]] as const)
  it(`a ${name} episode takes the same actions and rewards within 1e-3 on either engine, without leaking tensors`, async () => {
    const episode = async () => {
      const env = tinyEnv({ budgetRegions: 9, baldPasses });
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
