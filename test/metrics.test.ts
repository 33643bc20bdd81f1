import { expect } from 'chai';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import { ConfusionMatrix, classBalanceEntropy, meanIoU, perClassIoU, pixelAccuracy } from '../env/metrics.ts';

describe('metrics', () => {
  it('computes IoU, mIoU and pixel accuracy on a hand-worked case', () => {
    // 3 classes, void = 3. label / pred per pixel:
    const label = [0, 0, 0, 1, 1, 2, 3, 3];
    const pred = [0, 0, 1, 1, 0, 2, 2, 0];
    const cm = new ConfusionMatrix(3);
    cm.addArrays(pred, label);
    // class 0: TP 2, FN 1 (pred 1), FP 1 (label 1 → pred 0) → 2/4; class 1: TP 1, FN 1, FP 1 → 1/3; class 2: TP 1 → 1
    expect(perClassIoU(cm)).to.deep.equal([0.5, 1 / 3, 1]);
    expect(meanIoU(cm)).to.be.closeTo((0.5 + 1 / 3 + 1) / 3, 1e-12);
    expect(pixelAccuracy(cm)).to.be.closeTo(4 / 6, 1e-12); // void pixels dropped
  });

  it('averages only over classes present (non-empty union)', () => {
    const cm = new ConfusionMatrix(4);
    cm.addArrays([0, 0, 1], [0, 0, 1]);
    expect(perClassIoU(cm).slice(2).every(Number.isNaN)).to.equal(true);
    expect(meanIoU(cm)).to.equal(1);
  });

  it('the tensor path (bincount) equals the plain-array path', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 3 })), { minLength: 1, maxLength: 300 }), (pairs) => {
        const label = pairs.map((p) => p[0]), pred = pairs.map((p) => p[1]);
        const a = new ConfusionMatrix(4), b = new ConfusionMatrix(4);
        a.addArrays(pred, label);
        const [pt, lt] = [tf.tensor1d(pred, 'int32'), tf.tensor1d(label, 'int32')];
        b.addTensors(pt, lt);
        tf.dispose([pt, lt]);
        expect(Array.from(b.counts)).to.deep.equal(Array.from(a.counts));
      }),
      { numRuns: 50 },
    );
  });

  it('class-balance entropy is 1 for uniform, 0 for one class, ignores void', () => {
    expect(classBalanceEntropy([5, 5, 5, 5, 100], 4)).to.be.closeTo(1, 1e-12);
    expect(classBalanceEntropy([0, 7, 0, 0, 3], 4)).to.equal(0);
    expect(classBalanceEntropy([1, 1, 0, 0], 4)).to.be.closeTo(Math.log(2) / Math.log(4), 1e-12);
  });
});
