/** Labels read from cell logits (upsampled-argmax.ts) equal the argmax of every pixel's upsampled logits. */
import { expect } from 'chai';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import { upsampledArgmax } from '../compute/upsampled-argmax.ts';
import { axisWeights } from '../env/learners/frozen-encoder/interp.ts';

/** Brute force: every pixel's logits [H·W·C] from the interpolation weights of interp.ts, in double precision. */
function bruteForce(logits: Float32Array, gh: number, gw: number, C: number, H: number, W: number): Float64Array {
  const ys = axisWeights(gh, H, 0, H), xs = axisWeights(gw, W, 0, W);
  const out = new Float64Array(H * W * C);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      for (let c = 0; c < C; c++) {
        let v = 0;
        for (let i = 0; i < ys.size; i++)
          for (let j = 0; j < xs.size; j++) {
            const w = ys.weights[y * ys.size + i]! * xs.weights[x * xs.size + j]!;
            if (w) v += w * logits[((ys.start + i) * gw + xs.start + j) * C + c]!;
          }
        out[(y * W + x) * C + c] = v;
      }
    }
  return out;
}

describe('labels from cell logits (upsampled-argmax)', () => {
  it('equal the per-pixel argmax of the bilinear upsampling, on any grid, scale and class count (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 2, max: 5 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.boolean(), (gh, gw, C, sy, sx, seed, coarse) => {
        const [H, W] = [gh * sy + (seed % 3), gw * sx + (seed % 2)];
        let s = seed;
        // coarse values make ties and equal corners common: the fast path must still agree
        const logits = Float32Array.from({ length: gh * gw * C }, () => ((s = (s * 1103515245 + 12345) >>> 0) % 1000) / (coarse ? 250 : 37.3));
        const got = new Int32Array(H * W);
        upsampledArgmax(logits, gh, gw, C, H, W, { out: got, offset: 0 });
        const v = bruteForce(logits, gh, gw, C, H, W);
        // every pixel's label is a class with the largest value, up to the float32 rounding of interp.ts' weights (exact ties are common here)
        for (let i = 0; i < got.length; i++) {
          const top = Math.max(...v.subarray(i * C, (i + 1) * C));
          if (!(got[i]! >= 0 && got[i]! < C) || top - v[i * C + got[i]!]! > 1e-6 * (1 + Math.abs(top))) return false;
        }
        return true;
      }),
      { numRuns: 200, seed: 17 },
    );
  });

  it('agree with tfjs resizeBilinear (half-pixel) + argMax on CamVid geometry except at float32 near-ties, and write every pixel', () => {
    const [gh, gw, C, H, W] = [48, 64, 11, 360, 480];
    const t = tf.randomNormal([1, gh, gw, C], 0, 2, 'float32', 4);
    const smooth = tf.tidy(() => tf.avgPool(tf.image.resizeBilinear(t as tf.Tensor4D, [gh, gw]), 3, 1, 'same')); // class regions, as a trained head gives
    const logits = smooth.dataSync() as Float32Array;
    const ref = tf.tidy(() => tf.argMax(tf.image.resizeBilinear(smooth as tf.Tensor4D, [H, W], false, true), 3).dataSync() as Int32Array);
    const got = new Int32Array(H * W).fill(-1);
    const slow = upsampledArgmax(logits, gh, gw, C, H, W, { out: got, offset: 0 });
    let differ = 0;
    for (let i = 0; i < got.length; i++) if (got[i] !== ref[i]) differ++;
    expect(got.every((l) => l >= 0 && l < C)).to.equal(true);
    expect(differ / got.length).to.be.below(1e-3);
    expect(slow).to.be.below(got.length); // some blocks were decided whole
    tf.dispose([t, smooth]);
  });
});
