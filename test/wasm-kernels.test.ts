import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { expectTrainsWithoutLeaks, onBackend, maxAbsDiff } from './helpers.ts';
import { Rng } from '../core/rng.ts';

/** dL/dx and dL/dW of sum(conv(x, W) * r) for a fixed random r, on the current backend. */
function convGrads(xs: Float32Array, ws: Float32Array, xShape: number[], wShape: number[], stride: number, pad: 'same' | 'valid') {
  return tf.tidy(() => {
    const x = tf.tensor4d(xs, xShape as [number, number, number, number]);
    const w = tf.tensor4d(ws, wShape as [number, number, number, number]);
    const f = (a: tf.Tensor4D, b: tf.Tensor4D) => {
      const y = tf.conv2d(a, b, stride, pad);
      return tf.sum(tf.mul(y, tf.randomUniform(y.shape, -1, 1, 'float32', 3)));
    };
    const [dx, dw] = tf.grads(f as never)([x, w]);
    return { dx: dx!.dataSync().slice(), dw: dw!.dataSync().slice() };
  });
}

describe('wasm convolution gradient kernels', () => {
  const cases = [
    { k: 3, stride: 1, pad: 'same' as const },
    { k: 3, stride: 2, pad: 'same' as const },
    { k: 3, stride: 1, pad: 'valid' as const },
    { k: 3, stride: 2, pad: 'valid' as const },
    { k: 1, stride: 1, pad: 'same' as const },
    { k: 1, stride: 2, pad: 'valid' as const },
  ];
  for (const c of cases) {
    it(`match the cpu backend: ${c.k}×${c.k}, stride ${c.stride}, ${c.pad}`, async () => {
      const xShape = [2, 9, 11, 5], wShape = [c.k, c.k, 5, 7];
      const rng = new Rng(c.k * 10 + c.stride);
      const xs = Float32Array.from({ length: 2 * 9 * 11 * 5 }, () => rng.normal());
      const ws = Float32Array.from({ length: c.k * c.k * 35 }, () => rng.normal());
      const cpu = await onBackend('cpu', () => convGrads(xs, ws, xShape, wShape, c.stride, c.pad));
      const wasm = convGrads(xs, ws, xShape, wShape, c.stride, c.pad);
      expect(maxAbsDiff(wasm.dw, cpu.dw)).to.be.below(1e-3);
      expect(maxAbsDiff(wasm.dx, cpu.dx)).to.be.below(1e-3);
      // the comparison is not vacuous
      expect(maxAbsDiff(cpu.dw, new Float32Array(cpu.dw.length))).to.be.above(0.1);
    });
  }

  it('a conv net trains on wasm: loss falls and no tensor leaks', () => expectTrainsWithoutLeaks());
});

describe('wasm BatchMatMul with transposes', () => {
  for (const [ta, tb] of [[true, false], [false, true], [true, true]] as const) {
    for (const batched of [false, true]) {
      it(`matches the cpu backend: transposeA ${ta}, transposeB ${tb}, ${batched ? 'batched' : '2-D'}`, async () => {
        const rng = new Rng(Number(ta) * 2 + Number(tb) + (batched ? 10 : 0));
        const [m, k, n] = [5, 7, 3];
        const aShape = batched ? [2, ...(ta ? [k, m] : [m, k])] : ta ? [k, m] : [m, k];
        const bShape = batched ? [2, ...(tb ? [n, k] : [k, n])] : tb ? [n, k] : [k, n];
        const av = Float32Array.from({ length: aShape.reduce((x, y) => x * y) }, () => rng.normal());
        const bv = Float32Array.from({ length: bShape.reduce((x, y) => x * y) }, () => rng.normal());
        const run = () => tf.tidy(() => tf.matMul(tf.tensor(av, aShape), tf.tensor(bv, bShape), ta, tb).dataSync().slice());
        const cpu = await onBackend('cpu', run);
        expect(maxAbsDiff(run(), cpu)).to.be.below(1e-4);
      });
    }
  }
});
