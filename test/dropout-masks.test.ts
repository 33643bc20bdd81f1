import { expect } from 'chai';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import { dropoutMultiplier } from '../compute/ort/dropout-masks.ts';

/** The multiplier tf.dropout applies, from tfjs's own ops. */
const tfMultiplier = (seed: number, count: number, rate: number) =>
  tf.tidy(() => Array.from(tf.div(tf.floor(tf.add(tf.randomUniform([count], 0, 1, 'float32', seed), 1 - rate)), 1 - rate).dataSync()));

describe("dropout multipliers (tf.dropout's masks)", () => {
  it('equal tfjs bit for bit for any seeds and rates (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 1, maxLength: 9 }), fc.constantFrom(0.5, 0.1, 0.3, 0.9), fc.integer({ min: 1, max: 300 }), (seeds, rate, count) => {
        for (const seed of seeds) expect(Array.from(dropoutMultiplier(seed, count, rate))).to.deep.equal(tfMultiplier(seed, count, rate));
      }),
      { numRuns: 60, seed: 4 },
    );
  });

  it('match tf.dropout itself on a tensor, and reject a bad rate naming it', () => {
    const x = tf.range(1, 1001);
    const viaTf = tf.dropout(x, 0.5, undefined, 77).dataSync();
    const m = dropoutMultiplier(77, 1000, 0.5);
    expect(Array.from(viaTf)).to.deep.equal(Array.from(x.dataSync(), (v, i) => Math.fround(v * m[i]!)));
    expect(() => dropoutMultiplier(1, 4, 1)).to.throw(RangeError, 'got 1');
    x.dispose();
  });
});
