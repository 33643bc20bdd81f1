import { expect } from 'chai';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import { LabeledRegions, makeGrid, regionOrigin, trainingMask } from '../env/regions.ts';
import { arrangePools, sampleCandidateRegions } from '../env/candidates.ts';
import { actionFeatureSize, candidateFeatures, pairwiseKL, regionFeatures, rowHistograms, stateFeatureSize } from '../env/features.ts';
import { pixelBald } from '../env/scores/bald.ts';

/** BALD of explicit MC samples: moments computed here, BALD by the statistic's function. */
const baldFromSamples = (stack: tf.Tensor5D) => tf.tidy(() => {
  const meanProbs = tf.mean(stack, 0) as tf.Tensor4D;
  const meanEntropy = tf.mean(tf.neg(tf.sum(tf.mul(stack, tf.log(tf.add(stack, 1e-10))), -1)), 0) as tf.Tensor3D;
  return pixelBald(meanProbs, meanEntropy);
});
import { ConfigError } from '../core/errors.ts';
import { Rng } from '../core/rng.ts';

describe('regions', () => {
  it('requires an exact grid and names the sizes otherwise', () => {
    expect(() => makeGrid(144, 192, 35, 32)).to.throw(ConfigError, /35×32 does not tile the 144×192/);
    const g = makeGrid(144, 192, 36, 32);
    expect([g.rows, g.cols, g.perImage]).to.deep.equal([4, 6, 24]);
  });

  it('orders regions x-major then y, as the paper', () => {
    const g = makeGrid(360, 480, 90, 80);
    expect([0, 1, 2, 3, 4].map((r) => regionOrigin(g, r))).to.deep.equal([
      { y0: 0, x0: 0 }, { y0: 90, x0: 0 }, { y0: 180, x0: 0 }, { y0: 270, x0: 0 }, { y0: 0, x0: 80 },
    ]);
  });

  it('training mask = ground truth exactly inside the labelled regions (property)', () => {
    const g = makeGrid(16, 24, 8, 8);
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: g.perImage - 1 })), fc.integer({ min: 0, max: 1e6 }), (regions, seed) => {
        const rng = new Rng(seed);
        const label = Uint8Array.from({ length: 16 * 24 }, () => rng.int(5));
        const mask = trainingMask(g, label, regions, 11);
        for (let y = 0; y < 16; y++) for (let x = 0; x < 24; x++) {
          const r = Math.floor(x / 8) * g.rows + Math.floor(y / 8);
          expect(mask[y * 24 + x]).to.equal(regions.includes(r) ? label[y * 24 + x] : 11);
        }
      }),
      { numRuns: 50 },
    );
  });
});

describe('candidate pools', () => {
  it('draws distinct unlabelled regions, K·N of them while enough remain (property)', () => {
    const g = makeGrid(32, 48, 16, 16); // 6 per image
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.uniqueArray(fc.integer({ min: 0, max: 59 }), { maxLength: 60 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 1e6 }), (images, labeledIds, K, N, seed) => {
        const lab = new LabeledRegions(g, images);
        for (const id of labeledIds) if (id < images * 6) lab.add(id);
        const free = images * 6 - lab.size;
        const c = sampleCandidateRegions(lab, K * N, new Rng(seed));
        expect(new Set(c).size).to.equal(c.length);
        expect(c.every((id) => !lab.has(id) && id < images * 6)).to.equal(true);
        expect(c.length).to.equal(Math.min(K * N, free));
        const slots = arrangePools(c, K, N, new Rng(seed + 1));
        expect(Array.from(slots).filter((s) => s >= 0).sort()).to.deep.equal([...c].sort());
        // round-robin dealing: while there are ≥ K candidates every pool has one
        if (c.length >= K) for (let k = 0; k < K; k++) expect(slots[k * N]).to.be.at.least(0);
      }),
      { numRuns: 100 },
    );
  });
});

describe('features', () => {
  it('numpy-style row histograms: equal bins over [min, max], last bin closed, degenerate → bin 16', () => {
    const h = rowHistograms(tf.tensor2d([[0, 1, 2, 3], [5, 5, 5, 5], [0, 0, 0, 32]]), 32).arraySync();
    expect(h[0]![0]).to.equal(0.25);
    expect(h[0]![10]).to.equal(0.25); // 1/3·32 = 10.67 → bin 10
    expect(h[0]![21]).to.equal(0.25);
    expect(h[0]![31]).to.equal(0.25); // the max lands in the last bin
    expect(h[1]![16]).to.equal(1);
    expect(h[2]![0]).to.equal(0.75);
    expect(h[2]![31]).to.equal(0.25);
  });

  it('pairwise KL by the matrix identity equals the direct sum', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), (seed) => {
        const rng = new Rng(seed);
        const p = Array.from({ length: 3 }, () => Array.from({ length: 4 }, () => rng.uniform(0.01, 1)));
        const q = Array.from({ length: 2 }, () => Array.from({ length: 4 }, () => rng.uniform(0.01, 1)));
        const kl = pairwiseKL(tf.tensor2d(p), tf.tensor2d(q)).arraySync();
        const norm = (v: number[]) => v.map((x) => x / v.reduce((a, b) => a + b));
        p.forEach((pi, i) => q.forEach((qj, j) => {
          const [a, b] = [norm(pi), norm(qj)];
          expect(kl[i]![j]).to.be.closeTo(a.reduce((s, x, c) => s + x * Math.log(x / b[c]!), 0), 1e-5);
        }));
      }),
      { numRuns: 20 },
    );
  });

  it('has the paper shapes for CamVid: state [240, 204], action rows of 268', () => {
    expect(stateFeatureSize(11)).to.equal(204);
    expect(actionFeatureSize(11)).to.equal(268);
    const g = makeGrid(144, 192, 36, 32);
    const probs = tf.tidy(() => tf.softmax(tf.randomNormal([10, 144, 192, 11], 0, 1, 'float32', 1))) as tf.Tensor4D;
    const rf = regionFeatures(probs, g);
    expect(rf.features.shape).to.deep.equal([240, 204]);
    const cand = candidateFeatures(rf.features.slice([0, 0], [30, 204]) as tf.Tensor2D, 11, null);
    expect(cand.shape).to.deep.equal([30, 268]);
    tf.dispose([probs, rf.features, rf.meanEntropy, cand]);
  });

  it('region class counts sum to the region size and pooled entropies bracket each other', () => {
    const g = makeGrid(32, 48, 16, 16);
    const probs = tf.tidy(() => tf.softmax(tf.randomNormal([2, 32, 48, 5], 0, 2, 'float32', 3))) as tf.Tensor4D;
    const rf = regionFeatures(probs, g);
    const rows = rf.features.arraySync();
    for (const row of rows) {
      const counts = row.slice(0, 6);
      expect(counts.reduce((a, b) => a + b)).to.be.closeTo(256, 1e-3);
      expect(counts[5]).to.be.closeTo(1e-7, 1e-9); // void is never predicted: filled with 1e-7
      for (let i = 0; i < 64; i++) {
        const [mn, av, mx] = [row[6 + i]!, row[70 + i]!, row[134 + i]!];
        expect(mn).to.be.at.most(av + 1e-6);
        expect(av).to.be.at.most(mx + 1e-6);
      }
    }
    tf.dispose([probs, rf.features, rf.meanEntropy]);
  });
});

describe('BALD from MC samples', () => {
  it('is zero when all passes agree and positive when they disagree', () => {
    const p = tf.tensor4d([0.7, 0.2, 0.1, 0.1, 0.1, 0.8], [1, 1, 2, 3]);
    const same = baldFromSamples(tf.stack([p, p, p]) as tf.Tensor5D);
    expect(Math.max(...same.dataSync())).to.be.below(1e-6);
    const other = tf.tensor4d([0.1, 0.2, 0.7, 0.8, 0.1, 0.1], [1, 1, 2, 3]);
    const mixed = baldFromSamples(tf.stack([p, other]) as tf.Tensor5D);
    expect(Math.min(...mixed.dataSync())).to.be.above(0.1);
    tf.dispose([p, same, other, mixed]);
  });
});
