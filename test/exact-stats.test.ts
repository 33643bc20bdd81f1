/**
 * The board's paired statistics: the exact sign-flip test, the t interval and Holm's correction against
 * values worked out by hand or by R (stats::t.test, p.adjust), against a brute-force enumeration written
 * independently of the Gray-code one, and on the published case that the percentile bootstrap got wrong.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { bootstrapMeanCI, bootstrapSeed, holm, signFlipPValue, tInterval } from '../benchmarks/leaderboard/stats.ts';
import { aggregate, judgeFamily, labelSaving } from '../benchmarks/leaderboard/aggregate.ts';
import { runIndex } from '../benchmarks/leaderboard/run-index.ts';
import type { RunRecord } from '../benchmarks/sweep/run-record.ts';
import { fakeRecord } from './helpers.ts';

/** Every one of the 2ⁿ sign patterns, by bitmask, in floating point: slow, and shares no code with signFlipPValue. */
function bruteForceSignFlip(d: readonly number[]): number {
  const observed = Math.abs(d.reduce((a, b) => a + b, 0));
  let hits = 0;
  for (let mask = 0; mask < 2 ** d.length; mask++) {
    let s = 0;
    for (let i = 0; i < d.length; i++) s += (mask >> i) & 1 ? -Math.abs(d[i]!) : Math.abs(d[i]!);
    if (Math.abs(s) >= observed - 1e-9) hits++;
  }
  return hits / 2 ** d.length;
}

/** The per-seed AUBC differences dqn (policy, episode 90) − entropy on results/camvid-ralis-cold-linear (10 seeds). */
const DQN_MINUS_ENTROPY = [0.00146, -0.0016, -0.00226, -0.00372, -0.00546, 0.00053, 0.00199, -0.0001, -0.01112, -0.00829];

describe('exact paired statistics', () => {
  it('sign-flip p by hand: 3 pairs, 5 equal pairs, a zero difference', () => {
    // [1,2,3]: |sum| ≥ 6 only for +++ and −−− → 2/8
    expect(signFlipPValue([0.01, 0.02, 0.03])).to.equal(0.25);
    // five equal positive differences: only all-+ and all-− reach |5| → 2/32
    expect(signFlipPValue([0.01, 0.01, 0.01, 0.01, 0.01])).to.equal(0.0625);
    // [1, −1]: sums 0, ±2 → every pattern has |sum| ≥ 0
    expect(signFlipPValue([0.01, -0.01])).to.equal(1);
    // [3, 1, 0]: observed 4; patterns ±3±1(±0): |4| in 2 of 4 (×2 for the zero) → 0.5
    expect(signFlipPValue([0.03, 0.01, 0])).to.equal(0.5);
    // the smallest p over n pairs is 2/2ⁿ
    expect(signFlipPValue(Array.from({ length: 10 }, (_, i) => 0.001 * (i + 1)))).to.equal(2 / 1024);
  });

  it('sign-flip p equals an independent brute-force enumeration (property)', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: -50, max: 50 }), { minLength: 1, maxLength: 12 }), (ints) => {
      const d = ints.map((k) => k / 1000);
      expect(signFlipPValue(d)).to.equal(bruteForceSignFlip(d));
    }), { numRuns: 200 });
  });

  it('sign-flip p is symmetric in sign and order, and falls as every difference moves away from 0', () => {
    const d = [0.004, -0.001, 0.006, 0.002, 0.003, -0.002];
    expect(signFlipPValue(d.map((x) => -x))).to.equal(signFlipPValue(d));
    expect(signFlipPValue([...d].reverse())).to.equal(signFlipPValue(d));
    expect(signFlipPValue(d.map((x) => x + 0.01))).to.be.below(signFlipPValue(d));
  });

  it('past 26 pairs a seeded Monte Carlo: same seed, same p; near the exact value', () => {
    const d = Array.from({ length: 30 }, (_, i) => ((i * 7919) % 13) / 1000 - 0.004);
    expect(signFlipPValue(d, 5)).to.equal(signFlipPValue(d, 5));
    const p = signFlipPValue(d, 5);
    expect(p).to.be.within(0, 1);
  });

  it('t interval matches R: t.test(1:5)$conf.int = [1.036757, 4.963243]', () => {
    const [lo, hi] = tInterval([1, 2, 3, 4, 5]);
    expect(lo).to.be.closeTo(1.036757, 1e-6);
    expect(hi).to.be.closeTo(4.963243, 1e-6);
    // t.test(c(2.1, 3.4, 1.9, 5.0))$conf.int: mean 3.1, s = √(6.14/3), 3 df (t = 3.182446) → [0.82357, 5.37643]
    const [lo2, hi2] = tInterval([2.1, 3.4, 1.9, 5.0]);
    expect(lo2).to.be.closeTo(0.82357, 1e-4);
    expect(hi2).to.be.closeTo(5.37643, 1e-4);
    expect(tInterval([1])).to.deep.equal([NaN, NaN]);
  });

  it("Holm matches R's p.adjust(method = 'holm'), leaving NaN cells out of the family", () => {
    expect(holm([0.01, 0.04, 0.03, 0.005])).to.deep.equal([0.03, 0.06, 0.06, 0.02]);
    const withGap = holm([0.01, NaN, 0.04]);
    expect(withGap[1]).to.be.NaN;
    expect(withGap[0]).to.be.closeTo(0.02, 1e-12);
    expect(withGap[2]).to.be.closeTo(0.04, 1e-12);
    // capped at 1, then kept non-decreasing: p.adjust(c(0.5, 0.9), 'holm') = 1, 1; c(0.02, 0.9) → 0.04, 0.9
    expect(holm([0.5, 0.9])).to.deep.equal([1, 1]);
    expect(holm([0.02, 0.9])).to.deep.equal([0.04, 0.9]);
  });

  it('the published DQN − entropy case: the percentile bootstrap excluded 0, the exact test does not resolve it', () => {
    // what the board printed before: a 95 % percentile bootstrap interval wholly below 0
    const boot = bootstrapMeanCI(DQN_MINUS_ENTROPY, 2000, bootstrapSeed('dqn@8e12d3829268 − entropy @ AUBC'));
    expect(boot[1]).to.be.below(0);
    const p = signFlipPValue(DQN_MINUS_ENTROPY);
    expect(p).to.be.within(0.06, 0.08);
    const [lo, hi] = tInterval(DQN_MINUS_ENTROPY);
    expect(lo).to.be.below(0);
    expect(hi).to.be.above(0);
    // and on a board made of these differences, the cell is not resolved
    const records: RunRecord[] = DQN_MINUS_ENTROPY.flatMap((d, seed) => [
      fakeRecord({ agent: 'entropy', agentId: 'entropy', seed, testMIoU: 0.4, trajectory: `e${seed}` }),
      fakeRecord({ agent: 'dqn', agentId: 'dqn', baseline: false, seed, testMIoU: 0.4 + d, trajectory: `d${seed}` }),
    ]);
    const lb = aggregate(records, null, 200);
    const dqn = lb.agents.find((a) => a.agentId === 'dqn')!;
    const cell = dqn.vsBestBaseline[lb.budgets.length]!;
    expect(cell.p).to.equal(p);
    expect(cell.resolved).to.equal(false);
  });

  it('Holm: ten pairs all one way resolve alone, not in a family of 30 (2/1024 · 30 > 0.05)', () => {
    const cell = { pairs: 10, meanDiff: 0.01, sdDiff: 0.005, ci: [0.005, 0.015] as [number, number], p: 2 / 1024, probImprovement: 1 };
    expect(judgeFamily([cell])[0]!.resolved).to.equal(true);
    const family = judgeFamily(Array.from({ length: 30 }, () => cell));
    expect(family.every((c) => c!.resolved === false && c!.familySize === 30)).to.equal(true);
  });
});

describe("the paper's headline metric (labels to reach the best baseline's mIoU)", () => {
  const curve = (agent: string, baseline: boolean, seed: number, ys: number[]) =>
    [100, 200, 300].map((b, i) => fakeRecord({ agent, agentId: agent, baseline, seed, budgetRegions: b, testMIoU: ys[i]!, trajectory: `${agent}${seed}` }));

  it('reads labels off the mean curve by linear interpolation (worked by hand)', () => {
    // baseline 0.30, 0.40, 0.50; agent 0.35, 0.45, 0.55 on every seed: the agent reaches 0.40 at 150 and 0.50 at 250
    const records = [0, 1, 2].flatMap((s) => [...curve('base', true, s, [0.3, 0.4, 0.5]), ...curve('agent', false, s, [0.35, 0.45, 0.55])]);
    const index = runIndex(records);
    const at200 = labelSaving(index, 'agent', 'base', 200, 100)!;
    expect(at200.labels).to.be.closeTo(150, 1e-9);
    expect(at200.percentFewer).to.be.closeTo(25, 1e-9);
    expect(at200.atLeast).to.equal(false);
    const at300 = labelSaving(index, 'agent', 'base', 300, 100)!;
    expect(at300.percentFewer).to.be.closeTo(100 * (1 - 250 / 300), 1e-9);
    // identical seeds: every resample gives the same value
    expect(at300.ci[0]).to.be.closeTo(at300.percentFewer!, 1e-9);
  });

  it('an agent below the baseline everywhere never reaches its last target: null, and −∞ in the interval', () => {
    const records = [0, 1, 2].flatMap((s) => [...curve('base', true, s, [0.3, 0.4, 0.5]), ...curve('agent', false, s, [0.25, 0.35, 0.45])]);
    const s = labelSaving(runIndex(records), 'agent', 'base', 300, 100)!;
    expect(s.labels).to.equal(null);
    expect(s.percentFewer).to.equal(null);
    expect(s.ci[0]).to.equal(-Infinity);
  });

  it('aggregate gives learned agents the metric against the best baseline, baselines none', () => {
    const records = [0, 1, 2].flatMap((s) => [...curve('base', true, s, [0.3, 0.4, 0.5]), ...curve('agent', false, s, [0.35, 0.45, 0.55])]);
    const lb = aggregate(records, null, 100);
    expect(lb.agents.find((a) => a.agentId === 'base')!.labelSavings).to.equal(null);
    expect(lb.agents.find((a) => a.agentId === 'agent')!.labelSavings!.map((x) => x.budget)).to.deep.equal([200, 300]);
  });
});
