/**
 * The frozen-encoder head's native training step (native-train.ts) is a second, hand-written backward
 * pass: its loss and gradients must equal tfjs autodiff of learner.ts up to float rounding, for the
 * linear and the MLP head, on aligned crops and on whole images, with dropout and unsupervised pixels.
 */
import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../core/rng.ts';
import { makeSyntheticDataset } from '../env/data/synthetic.ts';
import { FeatureStore } from '../env/learners/frozen-encoder/feature-store.ts';
import { FrozenEncoderLearner } from '../env/learners/frozen-encoder/learner.ts';
import { encodeHalf } from '../nn/float16.ts';
import { initTraining } from '../compute/training.ts';
import type { SegTrainSettings } from '../env/learners/train-settings.ts';
import { upsampleHalfPixel } from '../env/learners/frozen-encoder/upsample.ts';
import { axisWeights } from '../env/learners/frozen-encoder/interp.ts';
import { initInference } from '../compute/inference.ts';
import { ConfusionMatrix } from '../env/metrics.ts';
import { planTiles } from '../env/learners/frozen-encoder/tiles.ts';

// 7.5 px cells, as CamVid's 48×64 grid over 360×480: crops align every 2 cells
const [H, W, gh, gw, F, C] = [45, 60, 6, 8, 12, 4];
const train: SegTrainSettings = { optimizer: 'sgd', lr: 1, momentum: 0, weightDecay: 0, clipNorm: Infinity, batchSize: 8, cropHeight: 24, cropWidth: 24, flip: false };

function fixture() {
  const ds = makeSyntheticDataset({ seed: 5, height: H, width: W, counts: { d_t: 3, d_s: 0, d_v: 0, val: 0, test: 0 } });
  const samples = ds.splits.d_t!.map((s) => ({ ...s, label: s.label.map((l) => l % (C + 1)) }));
  const store = FeatureStore.create('test-store', { gridH: gh, gridW: gw, channels: F }, samples);
  const rng = new Rng(11);
  samples.forEach((s) => {
    const slot = store.slot(s);
    encodeHalf(Float32Array.from({ length: gh * gw * F }, () => rng.normal()), store.slotView(slot));
    store.markFilled(slot);
  });
  return { samples, store };
}

/** The gradient of one SGD step at lr 1 without momentum, decay or clipping: the weights' change. */
async function oneStep(engine: 'tfjs' | 'ort', hidden: number, anchored: boolean, sparse = false) {
  await initTraining(engine, { threads: Number(process.env.T ?? 2) });
  try {
    const { samples, store } = fixture();
    const m = FrozenEncoderLearner.create({ name: 'frozen-encoder' }, store, { inputs: F, hidden, classes: C, dropoutRate: 0.3 }, train, H, W, new Rng(3));
    expect(m.trainingEngine).to.equal(engine);
    const before = m.head.variables.map((v) => Float32Array.from(v.dataSync() as Float32Array));
    const items = samples.flatMap((s, i) => (anchored ? [[4, 5], [40, 57], [22, 30]].map((anchor) => ({ sample: s, label: s.label, anchor: [anchor[0]! - i, anchor[1]!] as [number, number] })) : [{ sample: s, label: sparse ? sparseLabel(s.label, i) : s.label }]));
    const loss = await m.trainEpoch(items, new Rng(9));
    const grads = m.head.variables.map((v, i) => {
      const after = v.dataSync() as Float32Array;
      return (before[i]! as Float32Array).map((b, k) => b - after[k]!);
    });
    m.dispose();
    return { loss, grads };
  } finally {
    await initTraining('tfjs');
  }
}

/** Labels kept in two 15×15 blocks per image (the rest unsupervised), as a few labelled regions of a whole image. */
function sparseLabel(label: Uint8Array, i: number): Uint8Array {
  const out = new Uint8Array(label.length).fill(C);
  for (const [y0, x0] of [[0, 15 * i], [30, 45 - 15 * i]])
    for (let y = y0!; y < y0! + 15; y++) for (let x = x0!; x < x0! + 15; x++) out[y * W + x] = label[y * W + x]!;
  return out;
}

function relDiff(a: Float32Array, b: Float32Array): number {
  let d = 0, m = 0;
  for (let i = 0; i < b.length; i++) {
    d = Math.max(d, Math.abs(a[i]! - b[i]!));
    m = Math.max(m, Math.abs(b[i]!));
  }
  return d / Math.max(m, 1e-12);
}

describe('frozen-encoder head: native training step (training engine "ort")', () => {
  it('the upsampling gradient is the adjoint of the upsampling (tfjs resizeBilinear’s own gradient ignores half-pixel centres)', () => {
    const [h, w, Ho, Wo, K] = [6, 8, 45, 60, 3];
    const x = tf.randomNormal([1, h, w, K], 0, 1, 'float32', 1) as tf.Tensor4D;
    const r = tf.randomNormal([1, Ho, Wo, K], 0, 1, 'float32', 2);
    // reference: the upsampling as explicit interpolation matrices, differentiated by tfjs' matMul
    const dense = (inp: number, out: number) => {
      const a = axisWeights(inp, out, 0, out);
      const m = new Float32Array(out * inp);
      for (let o = 0; o < out; o++) for (let k = 0; k < a.size; k++) m[o * inp + a.start + k] = a.weights[o * a.size + k]!;
      return tf.tensor2d(m, [out, inp]);
    };
    const [ry, rx] = [dense(h, Ho), dense(w, Wo)];
    const byMatrices = (t: tf.Tensor4D) => tf.stack(Array.from({ length: K }, (_, c) => tf.matMul(tf.matMul(ry, tf.reshape(tf.slice(t, [0, 0, 0, c], [1, h, w, 1]), [h, w])), rx, false, true)), -1).reshape([1, Ho, Wo, K]);
    const grad = (f: (t: tf.Tensor4D) => tf.Tensor) => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(f(t as tf.Tensor4D), r)))(x).dataSync() as Float32Array;
    const want = grad(byMatrices);
    expect(relDiff(tf.image.resizeBilinear(x, [Ho, Wo], false, true).dataSync() as Float32Array, byMatrices(x).dataSync() as Float32Array)).to.be.below(1e-5);
    expect(relDiff(grad((t) => upsampleHalfPixel(t, Ho, Wo)), want)).to.be.below(1e-5);
    // the library's gradient is half a cell off: if this starts failing, tfjs fixed it and upsample.ts can go
    expect(relDiff(grad((t) => tf.image.resizeBilinear(t, [Ho, Wo], false, true)), want)).to.be.above(0.05);
    tf.dispose([x, r, ry, rx]);
  });

  for (const hidden of [0, 16])
    for (const anchored of [true, false])
      it(`${hidden ? 'MLP' : 'linear'} head, ${anchored ? 'aligned crops' : 'whole images'}: loss and gradients equal tfjs autodiff within 1e-4 of each variable's largest`, async () => {
        const tensors = tf.memory().numTensors;
        const ref = await oneStep('tfjs', hidden, anchored);
        const got = await oneStep('ort', hidden, anchored);
        expect(got.loss).to.be.closeTo(ref.loss, 1e-4 * Math.abs(ref.loss));
        expect(ref.grads.some((g) => g.some((v) => v !== 0))).to.equal(true);
        const diffs = got.grads.map((g, i) => relDiff(g, ref.grads[i]!));
        expect(Math.max(...diffs), `per variable: ${diffs.map((d) => d.toExponential(1)).join(', ')}`).to.be.below(1e-4);
        expect(tf.memory().numTensors).to.equal(tensors);
      });

  it('whole images with sparse labels run as labelled tiles, and their loss and gradients still equal tfjs autodiff of the whole image', async () => {
    const labels = fixture().samples.map((s, i) => sparseLabel(s.label, i));
    const plan = planTiles({ gridH: gh, gridW: gw, height: H, width: W, align: 2 }, labels, { headMacsPerCell: 2 * F * 16, classes: C });
    expect(plan.shape.whole).to.equal(false);
    expect(plan.tiles.reduce((n, t) => n + t.length, 0)).to.be.below((3 * gh * gw) / (plan.shape.nH * plan.shape.nW));
    const ref = await oneStep('tfjs', 16, false, true);
    const got = await oneStep('ort', 16, false, true);
    expect(got.loss).to.be.closeTo(ref.loss, 1e-4 * Math.abs(ref.loss));
    const diffs = got.grads.map((g, i) => relDiff(g, ref.grads[i]!));
    expect(Math.max(...diffs), `per variable: ${diffs.map((d) => d.toExponential(1)).join(', ')}`).to.be.below(1e-4);
  });

  it('a batch run on inputs reused from a larger earlier batch (run-buffers.ts) gives the same weights, bit for bit, as on fresh inputs', async () => {
    await initTraining('ort', { threads: 1 });
    try {
      const { samples, store } = fixture();
      const head = { inputs: F, hidden: 16, classes: C, dropoutRate: 0.3 };
      const whole = samples.map((s) => ({ sample: s, label: s.label }));
      const sparse = samples.map((s, i) => ({ sample: s, label: sparseLabel(s.label, i) }));
      // a: whole images first (its run inputs are filled with their cells and labels), then the sparse tiles
      const a = FrozenEncoderLearner.create({ name: 'frozen-encoder' }, store, head, train, H, W, new Rng(3));
      await a.trainEpoch(whole, new Rng(9));
      // b: the same weights, its first batch the sparse tiles
      const b = FrozenEncoderLearner.create({ name: 'frozen-encoder' }, store, head, train, H, W, new Rng(4));
      b.copyWeightsFrom(a);
      await a.trainEpoch(sparse, new Rng(10));
      await b.trainEpoch(sparse, new Rng(10));
      const [wa, wb] = [a, b].map((m) => m.head.variables.map((v) => Array.from(v.dataSync() as Float32Array)));
      expect(wa).to.deep.equal(wb);
      a.dispose();
      b.dispose();
    } finally {
      await initTraining('tfjs');
    }
  });

  it('confusion on the native engine (labels counted in its threads) equals the tfjs labels counted here, on 1 and 2 threads', async () => {
    const { samples, store } = fixture();
    const m = FrozenEncoderLearner.create({ name: 'frozen-encoder' }, store, { inputs: F, hidden: 8, classes: C, dropoutRate: 0.3 }, train, H, W, new Rng(5));
    const ref = new ConfusionMatrix(C);
    ref.addArrays(await m.predictLabels(samples), samples.flatMap((s) => Array.from(s.label)));
    const got: number[][] = [];
    for (const threads of [1, 2]) {
      await initInference('ort', { threads });
      try {
        got.push(Array.from((await m.confusion(samples, 2)).counts));
      } finally {
        await initInference('tfjs');
      }
    }
    m.dispose();
    expect(ref.counts.reduce((a, b) => a + b, 0)).to.be.above(0);
    expect(new Set(Array.from(ref.counts, (c, i) => (c > 0 ? i % C : -1))).size).to.be.above(2); // several classes predicted
    expect(got[0]).to.deep.equal(Array.from(ref.counts));
    expect(got[1]).to.deep.equal(got[0]);
  });
});
