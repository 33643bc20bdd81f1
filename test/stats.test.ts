import { expect } from 'chai';
import fc from 'fast-check';
import { aubc, bootstrapCI, iqm, labelsToReach, mean, median, percentFewerLabels, percentOfFull, probabilityOfImprovement, rareClassMIoU, std } from '../benchmarks/leaderboard/stats.ts';
import { checkRunRecord } from '../benchmarks/sweep/run-record.ts';
import { parseProtocol, loadProtocol, protocolNames, RENAMED_PROTOCOLS } from '../env/protocol/load.ts';
import { ENV_REGISTRY, resolveProtocol } from '../env/make-env.ts';
import { ConfigError } from '../core/errors.ts';
import { fakeRecord } from './helpers.ts';

describe('statistics (hand-computed values)', () => {
  it('mean and sample std', () => {
    expect(mean([1, 2, 3, 4])).to.equal(2.5);
    expect(std([2, 4, 4, 4, 5, 5, 7, 9])).to.be.closeTo(Math.sqrt(32 / 7), 1e-12);
    expect(std([3])).to.equal(0);
  });

  it('median of odd and even counts, whatever the order', () => {
    expect(median([3, 1, 2])).to.equal(2);
    expect(median([4, 1, 3, 2])).to.equal(2.5);
  });

  it('IQM trims a quarter at each end', () => {
    expect(iqm([1, 2, 3, 4, 5, 6, 7, 100])).to.equal(4.5); // drop 1, 2 and 7, 100
    expect(iqm([5, 1, 3])).to.equal(3); // ⌊3/4⌋ = 0 trimmed
  });

  it('bootstrap CI is seeded, brackets the statistic and collapses for constant data', () => {
    const strata = [[0.1, 0.2, 0.3, 0.4], [0.5, 0.6, 0.7, 0.8]];
    const a = bootstrapCI(strata, iqm, 1000, 1), b = bootstrapCI(strata, iqm, 1000, 1);
    expect(a).to.deep.equal(b);
    expect(a[0]).to.be.below(iqm(strata.flat()));
    expect(a[1]).to.be.above(iqm(strata.flat()));
    expect(bootstrapCI([[2, 2, 2]], mean, 100, 0)).to.deep.equal([2, 2]);
  });

  it('AUBC: trapezoids over the budget span', () => {
    expect(aubc([10, 20, 40], [0.2, 0.4, 0.5])).to.be.closeTo((0.3 * 10 + 0.45 * 20) / 30, 1e-12);
  });

  it('labels to reach a target, interpolated; % fewer labels', () => {
    expect(labelsToReach([100, 200, 300], [0.3, 0.5, 0.6], 0.4)).to.equal(150);
    expect(labelsToReach([100, 200], [0.3, 0.5], 0.7)).to.equal(null);
    expect(labelsToReach([100, 200], [0.8, 0.9], 0.7)).to.equal(100);
    expect(percentFewerLabels(140, 200)).to.be.closeTo(30, 1e-12);
  });

  it('probability of improvement counts ties as one half', () => {
    expect(probabilityOfImprovement([3, 1], [2, 1])).to.equal((1 + 1 + 0 + 0.5) / 4);
  });

  it('rare-class mIoU and % of full', () => {
    expect(rareClassMIoU([0.9, 0.1, null, 0.3], [0.5, 0.01, 0.001, 0.02], 3)).to.be.closeTo(0.2, 1e-12);
    expect(percentOfFull(0.45, 0.6)).to.be.closeTo(75, 1e-12);
  });
});

describe('protocol and run-record schemas', () => {
  it('every shipped protocol validates', () => {
    for (const name of protocolNames()) expect(loadProtocol(name).name).to.equal(name);
  });

  it('a bad protocol is rejected with the field, the value and what is allowed', () => {
    const good = loadProtocol('synthetic-quick');
    const bad = (patch: object) => () => parseProtocol({ ...structuredClone(good), ...patch }, 'p.json');
    expect(bad({ poolsPerStep: 0 })).to.throw(ConfigError, /poolsPerStep = 0: must be >= 1/);
    expect(bad({ data: { name: 'kitti', scale: 0.2 } })).to.throw(ConfigError, /data.name = "kitti": allowed "synthetic", "camvid", "folder", "cityscapes"/);
    expect(bad({ budgets: [48, 24] })).to.throw(ConfigError, /strictly ascending/);
    expect(bad({ budgets: [20] })).to.throw(ConfigError, /20 is not a multiple of poolsPerStep = 8/);
    expect(bad({ extra: 1 })).to.throw(ConfigError, /unknown field 'extra'/);
    expect(() => loadProtocol('nope')).to.throw(ConfigError, /unknown protocol 'nope'.*synthetic-quick/);
    // a former name says where the protocol went, and every former name's new one is shipped
    expect(() => loadProtocol('camvid-ralis')).to.throw(ConfigError, /unknown protocol 'camvid-ralis' \(it was renamed: now 'camvid-ralis-cold-linear'/);
    for (const now of Object.values(RENAMED_PROTOCOLS)) expect(protocolNames()).to.include(now);
    for (const [id, name] of Object.entries(ENV_REGISTRY)) expect(resolveProtocol(id).name, id).to.equal(name);
  });

  it('a bad run record is rejected naming the field', () => {
    expect(() => checkRunRecord({ schema: 2 })).to.throw(ConfigError, /must have required property 'protocolHash'/);
    expect(() => checkRunRecord({ schema: 1 })).to.throw(ConfigError, /schema-1 record from regiongym 0.1/);
    expect(() => checkRunRecord({ ...fakeRecord(), testMIoU: 2 })).to.throw(ConfigError, /testMIoU: must be <= 1/);
  });
});

describe('rank correlation', () => {
  it('spearman: hand-computed values, ties at mean rank, NaN below 3 pairs or without spread', async () => {
    const { spearman } = await import('../benchmarks/leaderboard/stats.ts');
    expect(spearman([1, 2, 3, 4], [10, 20, 30, 40])).to.equal(1);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).to.equal(-1);
    // ranks x 1 2 3, y 1 3 2: 1 − 6·Σd²/(n(n²−1)) = 1 − 6·2/24 = 0.5
    expect(spearman([0.1, 0.2, 0.3], [5, 9, 7])).to.be.closeTo(0.5, 1e-12);
    // y ranks 1.5 1.5 3 against 1 2 3: Pearson on ranks = 0.866…
    expect(spearman([1, 2, 3], [7, 7, 8])).to.be.closeTo(Math.sqrt(3) / 2, 1e-12);
    expect(spearman([1, 2], [1, 2])).to.be.NaN;
    expect(spearman([1, 1, 1], [1, 2, 3])).to.be.NaN;
    expect(() => spearman([1, 2, 3], [1, 2])).to.throw(RangeError, /3 x values but 2 y values/);
  });

  it('spearman is in [−1, 1], symmetric, and unchanged by any increasing transform (property)', async () => {
    const { spearman } = await import('../benchmarks/leaderboard/stats.ts');
    const pairs = fc.array(fc.tuple(fc.integer({ min: -50, max: 50 }), fc.integer({ min: -50, max: 50 })), { minLength: 3, maxLength: 12 });
    fc.assert(fc.property(pairs, (ps) => {
      const [x, y] = [ps.map((p) => p[0]), ps.map((p) => p[1])];
      const r = spearman(x, y);
      if (Number.isNaN(r)) return new Set(x).size === 1 || new Set(y).size === 1;
      return r >= -1 - 1e-12 && r <= 1 + 1e-12 && Math.abs(r - spearman(y, x)) < 1e-12 && Math.abs(r - spearman(x.map((v) => Math.exp(v / 10)), y)) < 1e-12;
    }));
  });
});

describe('paired statistics (hand-computed)', () => {
  it('paired differences by seed, their bootstrap interval, P(improvement)', async () => {
    const { pairedDifferences, bootstrapMeanCI, pairedProbabilityOfImprovement } = await import('../benchmarks/leaderboard/stats.ts');
    const x = new Map([[1, 0.5], [2, 0.6], [3, 0.4], [9, 0.9]]);
    const y = new Map([[1, 0.4], [2, 0.6], [3, 0.5]]);
    const d = pairedDifferences(x, y);
    expect(d.map((v) => +v.toFixed(10))).to.deep.equal([0.1, 0, -0.1]); // seed 9 has no pair
    expect(pairedProbabilityOfImprovement(d)).to.be.closeTo((1 + 0.5 + 0) / 3, 1e-12);
    const [lo, hi] = bootstrapMeanCI([1, 1, 1, 1]);
    expect([lo, hi]).to.deep.equal([1, 1]);
    const [l2, h2] = bootstrapMeanCI([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 4000, 3);
    expect(l2).to.be.within(2.5, 4.5); // mean 4.5, sd/√n ≈ 0.96
    expect(h2).to.be.within(4.5, 6.5);
  });

  it('seeds to resolve a paired difference: the t test\'s power (t-table values worked by hand) and the sign-flip floor', async () => {
    const { seedsToResolve } = await import('../benchmarks/leaderboard/stats.ts');
    // sd = δ, α = 0.05, 80 % power (z = 0.8416): n = 9: t(0.975; 8) = 2.306, 2.306 + 0.842 = 3.148 > √9 = 3;
    // n = 10: t(0.975; 9) = 2.262, 3.104 ≤ √10 = 3.162. R: power.t.test(delta = 1, sd = 1, type = 'paired', power = 0.8) gives n = 9.94
    expect(seedsToResolve(1, 1, 0.05)).to.equal(10);
    // δ = sd / 2: n = 33: t(0.975; 32) = 2.037, 2.879 > 0.5·√33 = 2.872; n = 34: t(0.975; 33) = 2.035, 2.877 ≤ 2.915 (R: 33.4)
    expect(seedsToResolve(0.02, 0.01, 0.05)).to.equal(34);
    // scale-free: the same in points or fractions
    expect(seedsToResolve(2, 1, 0.05)).to.equal(seedsToResolve(0.02, 0.01, 0.05));
    // a spread-free difference still needs the seeds whose sign-flip floor 2/2ⁿ is below α: 6 at 0.05, 7 at 0.025, 10 at 0.05/13
    expect(seedsToResolve(0, 0.01, 0.05)).to.equal(6);
    expect(seedsToResolve(1e-6, 0.01, 0.025)).to.equal(7);
    expect(seedsToResolve(0, 0.01, 0.05 / 13)).to.equal(10);
    // a stricter level or more power never needs fewer seeds
    expect(seedsToResolve(1, 1, 0.01)).to.be.greaterThan(10);
    expect(seedsToResolve(1, 1, 0.05, 0.9)).to.be.greaterThan(10);
    expect(seedsToResolve(-1, 1, 0.05)).to.be.NaN;
    expect(seedsToResolve(1, 0, 0.05)).to.be.NaN;
  });
});
