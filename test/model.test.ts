import { expect } from 'chai';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../core/rng.ts';
import { maskedCrossEntropy } from '../env/learners/loss.ts';
import { UNetLearner } from '../env/learners/unet/learner.ts';
import { UNET_S, forwardFlops, initUNet, parameterCount, disposeUNet, forward, trunk, head } from '../env/learners/unet/net.ts';
import { makeSyntheticDataset } from '../env/data/synthetic.ts';
import { tempDir, maxAbsDiff } from './helpers.ts';
import { DataError } from '../core/errors.ts';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

describe('UNet-S segmentation model', () => {
  it('has 118,443 parameters and 1.562 GFLOP per 144×192 forward (docs/method.md §7.1)', () => {
    const p = initUNet({ ...UNET_S, numClasses: 11 }, new Rng(0));
    expect(parameterCount(p)).to.equal(118443);
    expect(forwardFlops(p.config, 144, 192) / 1e9).to.be.closeTo(1.562, 0.001);
    disposeUNet(p);
  });

  it('seeded initialisation: same seed same weights, other seed other weights', () => {
    const [a, b, c] = [new Rng(5), new Rng(5), new Rng(6)].map((r) => initUNet({ ...UNET_S, numClasses: 11 }, r));
    expect(Array.from(a!.layers[3]!.kernel.dataSync())).to.deep.equal(Array.from(b!.layers[3]!.kernel.dataSync()));
    expect(Array.from(a!.layers[3]!.kernel.dataSync())).to.not.deep.equal(Array.from(c!.layers[3]!.kernel.dataSync()));
    [a, b, c].forEach((p) => disposeUNet(p!));
  });

  it('trunk + head equals forward; dropout only with a seed, and seeded', () => {
    const p = initUNet({ ...UNET_S, numClasses: 5 }, new Rng(1));
    const x = tf.randomNormal([2, 16, 16, 3], 0, 1, 'float32', 2) as tf.Tensor4D;
    const f = trunk(p, x);
    const [full, split, d1, d2, d3] = [forward(p, x), head(p, f), head(p, f, 9), head(p, f, 9), head(p, f, 10)].map((t) => t.dataSync().slice());
    expect(maxAbsDiff(full!, split!)).to.equal(0);
    expect(maxAbsDiff(d1!, d2!)).to.equal(0);
    expect(maxAbsDiff(d1!, d3!)).to.be.above(0);
    expect(maxAbsDiff(d1!, full!)).to.be.above(0);
    tf.dispose([x, f]);
    disposeUNet(p);
  });

  it('save → load gives identical predictions', async () => {
    const ds = makeSyntheticDataset({ seed: 2, height: 32, width: 48, counts: { d_t: 4, d_s: 0, d_v: 0, val: 0, test: 2 } });
    const m = UNetLearner.create(11, 32, 48, new Rng(3));
    await m.trainEpoch(ds.splits.d_t!.map((s) => ({ sample: s, label: s.label })), new Rng(4));
    const dir = tempDir();
    await m.save(dir);
    const loaded = await UNetLearner.load(dir);
    const [a, b] = [await m.probabilities(ds.splits.test!), await loaded.probabilities(ds.splits.test!)];
    expect(maxAbsDiff(a.dataSync(), b.dataSync())).to.equal(0);
    tf.dispose([a, b]);
    m.dispose();
    loaded.dispose();
  });

  it('load of a missing or truncated checkpoint names the file', async () => {
    const dir = tempDir();
    await UNetLearner.load(dir).then(() => expect.fail('should throw'), (e) => {
      expect(e).to.be.instanceOf(DataError);
      expect(e.message).to.contain(join(dir, 'model.json'));
    });
    const m = UNetLearner.create(3, 16, 16, new Rng(0));
    await m.save(dir);
    m.dispose();
    writeFileSync(join(dir, 'weights.bin'), Buffer.alloc(10));
    await UNetLearner.load(dir).then(() => expect.fail('should throw'), (e) => expect(e.message).to.match(/weights.bin: 10 bytes/));
  });

  it('masked cross-entropy ignores unlabeled pixels (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), fc.float({ min: -50, max: 50, noNaN: true }), (seed, shift) => {
        const rng = new Rng(seed);
        const C = 4, n = 2 * 3 * 5;
        const logits = Float32Array.from({ length: n * C }, () => rng.normal());
        const labels = Int32Array.from({ length: n }, () => rng.int(C + 1)); // C = unlabeled
        // change the logits of every unlabeled pixel: the loss must not move
        const changed = logits.slice();
        labels.forEach((l, i) => { if (l === C) for (let c = 0; c < C; c++) changed[i * C + c]! += shift * (c + 1); });
        const loss = (lg: Float32Array) => tf.tidy(() => maskedCrossEntropy(tf.tensor4d(lg, [2, 3, 5, C]), tf.tensor3d(labels, [2, 3, 5], 'int32')).dataSync()[0]!);
        expect(loss(changed)).to.be.closeTo(loss(logits), 1e-5);
      }),
      { numRuns: 40 },
    );
  });

  it('masked cross-entropy equals the hand-computed mean over labeled pixels', () => {
    const logits = tf.tensor4d([0, 0, Math.log(3), 0, 5, 5], [1, 1, 3, 2]);
    const labels = tf.tensor3d([0, 0, 2], [1, 1, 3], 'int32'); // 2 = ignore
    const v = maskedCrossEntropy(logits, labels).dataSync()[0]!;
    expect(v).to.be.closeTo((Math.log(2) + Math.log(4 / 3)) / 2, 1e-6);
    const none = maskedCrossEntropy(logits, tf.tensor3d([2, 2, 2], [1, 1, 3], 'int32')).dataSync()[0]!;
    expect(none).to.equal(0);
  });
});
