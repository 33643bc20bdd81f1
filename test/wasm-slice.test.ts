import { expect } from 'chai';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import { onBackend } from './helpers.ts';

/** A random tensor shape with a slice (begin, size) inside it. */
const sliceCase = fc
  .array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 5 })
  .chain((shape) =>
    fc.tuple(fc.constant(shape), ...shape.map((n) => fc.integer({ min: 0, max: n - 1 }).chain((b) => fc.tuple(fc.constant(b), fc.integer({ min: 0, max: n - b }))))),
  );

function values(shape: number[], dtype: 'float32' | 'int32'): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Array.from({ length: n }, (_, i) => (dtype === 'int32' ? i : i * 0.5 - 3)), shape, dtype);
}

describe('wasm Slice, SplitV and Tile (copies on the heap)', () => {
  it('slice equals the cpu backend for any shape, begin and size (property), float32 and int32', async () => {
    await fc.assert(
      fc.asyncProperty(sliceCase, fc.constantFrom('float32' as const, 'int32' as const), async ([shape, ...bs], dtype) => {
        const begin = bs.map(([b]) => b);
        const size = bs.map(([, s]) => s);
        const run = () => tf.tidy(() => Array.from(tf.slice(values(shape, dtype), begin, size).dataSync()));
        expect(run()).to.deep.equal(await onBackend('cpu', run));
      }),
      { numRuns: 200, seed: 7 },
    );
  });

  it('split on every axis, and the gradient of a channel concat, equal the cpu backend', async () => {
    const run = () =>
      tf.tidy(() => {
        const x = values([3, 5, 4, 70], 'float32');
        const parts = [0, 1, 2, 3].flatMap((ax) => tf.split(x, ax === 3 ? [64, 6] : [1, x.shape[ax]! - 1], ax).map((t) => Array.from(t.dataSync())));
        const a = values([2, 3, 3, 16], 'float32');
        const b = values([2, 3, 3, 32], 'float32');
        const r = values([2, 3, 3, 48], 'float32');
        const [ga, gb] = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.mul(tf.concat([p, q], 3), r)))([a, b]);
        return [...parts, Array.from(ga!.dataSync()), Array.from(gb!.dataSync())];
      });
    expect(run()).to.deep.equal(await onBackend('cpu', run));
  });

  it('tile equals the cpu backend for any shape and reps (property), float32, int32 and bool', async () => {
    const shapeReps = fc
      .array(fc.tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 4 })), { minLength: 1, maxLength: 5 })
      .map((dims) => [dims.map(([s]) => s), dims.map(([, r]) => r)] as const);
    await fc.assert(
      fc.asyncProperty(shapeReps, fc.constantFrom('float32' as const, 'int32' as const, 'bool' as const), async ([shape, reps], dtype) => {
        const run = () =>
          tf.tidy(() => {
            const v = values(shape, dtype === 'bool' ? 'int32' : dtype);
            return Array.from(tf.tile(dtype === 'bool' ? tf.cast(tf.mod(v, 2), 'bool') : v, reps).dataSync());
          });
        expect(run()).to.deep.equal(await onBackend('cpu', run));
      }),
      { numRuns: 200, seed: 8 },
    );
  });
});
