/** A learned agent trained several times is one row: the mean over its training runs, with their spread. */
import { expect } from 'chai';
import fc from 'fast-check';
import { foldReplicates, replicateGroups, replicatedRecords, replicateSpread, type TrainingRun } from '../benchmarks/leaderboard/replicates.ts';
import { bootstrapCI, crossedTInterval, mean, tInterval } from '../benchmarks/leaderboard/stats.ts';
import { aggregate } from '../benchmarks/leaderboard/aggregate.ts';
import { verdict } from '../benchmarks/leaderboard/verdict.ts';
import type { RunRecord } from '../benchmarks/sweep/run-record.ts';
import { fakeRecord } from './helpers.ts';

const budgets = [6, 12];
/** Three training runs of one configuration (offsets 0, +2, +4 points) and one of another, plus random; seeds 1..5. */
function records(): RunRecord[] {
  const out: RunRecord[] = [];
  for (const seed of [1, 2, 3, 4, 5])
    for (const b of budgets) {
      const base = 0.2 + 0.01 * seed + (b === 12 ? 0.05 : 0);
      out.push(fakeRecord({ agent: 'random', agentId: 'random', seed, budgetRegions: b, testMIoU: base, trajectory: `r${seed}` }));
      ['dqn@a', 'dqn@b', 'dqn@c'].forEach((id, k) => out.push(fakeRecord({ agent: 'dqn', agentId: id, baseline: false, seed, budgetRegions: b, testMIoU: base + 0.02 * k, trajectory: `${id}${seed}` })));
      out.push(fakeRecord({ agent: 'dqn', agentId: 'dqn@other', baseline: false, seed, budgetRegions: b, testMIoU: base, trajectory: `o${seed}` }));
    }
  return out;
}
const runs: TrainingRun[] = [
  { label: 'run-a', configuration: 'X', seed: 1, checkpoints: [{ rule: 'best', agentId: 'dqn@a' }] },
  { label: 'run-b', configuration: 'X', seed: 2, checkpoints: [{ rule: 'best', agentId: 'dqn@b' }, { rule: 'last', agentId: 'dqn@never-run' }] },
  { label: 'run-c', configuration: 'X', seed: 3, checkpoints: [{ rule: 'best', agentId: 'dqn@c' }] },
  { label: 'run-d', configuration: 'Y', seed: 1, checkpoints: [{ rule: 'best', agentId: 'dqn@other' }] },
];

describe('replicated learned agents', () => {
  it('one row per configuration with ≥ 2 runs and checkpoints that ran for every run: the members’ mean at every seed and budget', () => {
    const groups = replicateGroups(runs, records()).replicated;
    // run-b's last checkpoint never ran: no 'last' row from the other runs alone
    expect(groups.map((g) => [g.rule, g.members.map((m) => m.agentId)])).to.deep.equal([['best', ['dqn@a', 'dqn@b', 'dqn@c']]]);
    const partial = replicateGroups(runs.map((r) => (r.label === 'run-a' ? { ...r, checkpoints: [...r.checkpoints, { rule: 'last' as const, agentId: 'dqn@a' }] } : r)), records()).replicated;
    expect(partial.map((g) => g.rule)).to.deep.equal(['best']);
    const virtual = replicatedRecords(groups[0]!, records());
    expect(virtual).to.have.length(10);
    // mean of +0, +2, +4 points over random
    for (const r of virtual) expect(r.testMIoU - (0.2 + 0.01 * r.seed + (r.budgetRegions === 12 ? 0.05 : 0))).to.be.closeTo(0.02, 1e-12);
    // it is an ordinary learned row: paired with random by seed
    const lb = aggregate([...records(), ...virtual]);
    const row = lb.agents.find((a) => a.agentId === groups[0]!.agentId)!;
    expect(row.baseline).to.equal(false);
    expect(row.vsRandom[budgets.length]!.meanDiff).to.be.closeTo(0.02, 1e-9);
  });

  it('the spread: each run’s AUBC, the std between runs and a runs × seeds interval wider than the seeds alone give', () => {
    const g = replicateGroups(runs, records()).replicated[0]!;
    const s = replicateSpread(g, records())!;
    expect(s.perRun.map((r) => r.label)).to.deep.equal(['run-a', 'run-b', 'run-c']);
    expect(s.perRun[1]!.aubc - s.perRun[0]!.aubc).to.be.closeTo(0.02, 1e-12);
    expect(s.betweenRunStd).to.be.closeTo(0.02, 1e-12);
    expect(s.ci[0]).to.be.below(s.mean);
    expect(s.ci[1]).to.be.above(s.mean);
    // resampling the seeds of the pooled mean alone ignores the training runs' spread
    const seedOnly = bootstrapCI([s.seeds.map((seed) => mean(g.members.map((m) => records().filter((r) => r.agentId === m.agentId && r.seed === seed).reduce((a, r) => a + r.testMIoU, 0) / 2)))], mean, 2000, 1);
    expect(s.ci[1] - s.ci[0]).to.be.above(seedOnly[1] - seedOnly[0]);
  });

  it('against the baselines: each run\'s paired difference and a runs × seeds interval of the mean difference', () => {
    const g = replicateGroups(runs, records()).replicated[0]!;
    const s = replicateSpread(g, records(), [{ label: 'random', agentId: 'random' }, { label: 'never ran', agentId: 'nobody' }])!;
    // runs a, b, c sit +0, +2, +4 points above random on every seed; a baseline without runs is left out
    expect(s.versus.map((v) => v.other)).to.deep.equal(['random']);
    const v = s.versus[0]!;
    expect(v.seeds).to.equal(5);
    v.perRun.forEach((d, i) => expect(d).to.be.closeTo(0.02 * i, 1e-12));
    expect(v.mean).to.be.closeTo(0.02, 1e-12);
    // no seed-to-seed spread in the differences: the interval is the t interval over the 3 runs' means alone
    const overRuns = tInterval(v.perRun);
    expect(v.ci[0]).to.be.closeTo(overRuns[0], 1e-12);
    expect(v.ci[1]).to.be.closeTo(overRuns[1], 1e-12);
  });

  it('folding: the replicated row replaces its members on the board; their runs come back apart, untouched', () => {
    const groups = replicateGroups(runs, records()).replicated;
    const { board, members } = foldReplicates(records(), groups);
    const ids = new Set(board.map((r) => r.agentId));
    for (const m of groups[0]!.members) expect(ids.has(m.agentId)).to.equal(false);
    expect(ids.has(groups[0]!.agentId)).to.equal(true);
    // a configuration trained once (run-d) stays a row of its own
    expect(ids.has('dqn@other')).to.equal(true);
    expect(members.map((r) => r.agentId).sort()).to.deep.equal(records().filter((r) => ['dqn@a', 'dqn@b', 'dqn@c'].includes(r.agentId)).map((r) => r.agentId).sort());
    expect(board.length + members.length).to.equal(records().length + replicatedRecords(groups[0]!, records()).length);
    // the board's paired statistics then see one learned row per configuration
    const lb = aggregate(board);
    expect(lb.agents.filter((a) => !a.baseline).map((a) => a.agentId).sort()).to.deep.equal([groups[0]!.agentId, 'dqn@other'].sort());
    // and the verdict gives the replicated row its runs × seeds interval beside the board's
    lb.replicates = [replicateSpread(groups[0]!, records(), [{ label: 'random', agentId: 'random' }])!];
    const line = verdict(lb).sentences.find((x) => x.startsWith(groups[0]!.agent))!;
    expect(line).to.match(/; counting the luck of its 3 training runs too \(runs and seeds as random effects, t interval\): − random \[[+−]\d\.\d, \+\d\.\d\]\.$/);
  });

  it('a rule benched for only some runs stays off the board, and the verdict says how far its benches came', () => {
    // the 'last' rule: run-a's and run-c's last checkpoints have runs (seeds 1-5 and seeds 1-2), run-b's none yet
    const lastOf = { 'run-a': 'dqn@a-last', 'run-c': 'dqn@c-last' } as Record<string, string>;
    const withLast = runs.map((r) => (lastOf[r.label] ? { ...r, checkpoints: [...r.checkpoints, { rule: 'last' as const, agentId: lastOf[r.label]! }] } : r));
    const extra = records().filter((r) => (r.agentId === 'dqn@a') || (r.agentId === 'dqn@c' && r.seed <= 2)).map((r) => ({ ...r, agentId: `${r.agentId}-last`, trajectory: `${r.trajectory}-last` }));
    const all = [...records(), ...extra];
    expect(replicateGroups(withLast, all).replicated.map((g) => g.rule)).to.deep.equal(['best']);
    const pending = replicateGroups(withLast, all).pending;
    expect(pending.map((p) => [p.rule, p.runs, p.benched.map((m) => [m.label, m.records])])).to.deep.equal([['last', 3, [['run-a', 10], ['run-c', 4]]]]);
    const { board, members } = foldReplicates(all, replicateGroups(withLast, all).replicated, pending);
    const ids = new Set(board.map((r) => r.agentId));
    expect(ids.has('dqn@a-last') || ids.has('dqn@c-last')).to.equal(false);
    expect(members.some((r) => r.agentId.endsWith('-last'))).to.equal(false);
    // without the pending list the partial runs would have been rows of their own
    expect(new Set(foldReplicates(all, replicateGroups(withLast, all).replicated).board.map((r) => r.agentId)).has('dqn@a-last')).to.equal(true);
    const lb = aggregate(board);
    lb.pendingReplicates = pending;
    // a run whose best episode is its last: its last checkpoint is on the best row already, nobody's pending bench
    expect(replicateGroups(runs.map((r) => (r.label === 'run-a' ? { ...r, checkpoints: [...r.checkpoints, { rule: 'last' as const, agentId: 'dqn@a' }] } : r)), records()).pending).to.deep.equal([]);
    expect(verdict(lb).sentences).to.include('Not on the board yet: the last checkpoints of a DQN configuration trained 3 times, benched for 2 of its 3 runs so far (run-a: 10 runs, run-c: 4 runs); the row appears when every run is, since the runs benched first are no sample of the method.');
  });

  it('a replicated row on one seed so far says it has too few seeds for a paired comparison, not an empty line', () => {
    // every run benched on seed 1 only: the row exists (every run has records) but no seed pair does
    const one = records().filter((r) => r.agentId === 'random' || ((r.agentId === 'dqn@a' || r.agentId === 'dqn@b' || r.agentId === 'dqn@c') && r.seed === 1));
    const groups = replicateGroups(runs.slice(0, 3), one).replicated;
    expect(groups).to.have.length(1);
    const lb = aggregate(foldReplicates(one, groups).board);
    const line = verdict(lb).sentences.find((x) => x.startsWith(groups[0]!.agent))!;
    expect(line).to.match(/AUBC [0-9.]+ % on 1 seed with every budget so far; a paired comparison needs 2 or more\.$/);
    expect(verdict(lb).sentences.find((x) => x.startsWith('Partial coverage'))).to.equal(`Partial coverage: ${groups[0]!.agent} (1 seed, 2 of 2 budgets); its comparisons rest on what it ran.`);
  });

  it('runs × seeds interval: worked by hand on a 2 × 2 matrix; the seeds\' t interval when runs agree; holds the mean (property)', () => {
    // [[1, 2], [3, 5]]: MS_run 6.25, MS_seed 2.25, MS_e 0.25 ⇒ Var(mean) = (6.25 + 2.25 − 0.25)/4 = 2.0625,
    // Satterthwaite df = 8.25² / (6.25² + 2.25² + 0.25²) = 68.0625 / 44.1875 ≈ 1.54, capped at S − 1 = 1
    const worked = crossedTInterval([[1, 2], [3, 5]]);
    expect(worked.se ** 2).to.be.closeTo(2.0625, 1e-12);
    expect(worked.df).to.equal(1);
    // 2 runs × 4 seeds, runs far apart: Satterthwaite's df (below S − 1) stand. [[0, 1, 0, 1], [4, 5, 4, 6]]: row means
    // 0.5, 4.75, column means 2, 3, 2, 3.5, grand 2.625 ⇒ MS_run 36.125, MS_seed 1.125, SSE 0.375 over 3 df ⇒ MS_e 0.125;
    // v = 297/8, df = v² / (1.125²/3 + 36.125² + 0.125²/3) = (88209/64) / (250645/192) = 264627/250645 ≈ 1.06
    const apart = crossedTInterval([[0, 1, 0, 1], [4, 5, 4, 6]]);
    expect(apart.df).to.be.closeTo(264627 / 250645, 1e-12);
    expect(apart.se ** 2).to.be.closeTo(297 / 8 / 8, 1e-12);
    expect((worked.ci[0] + worked.ci[1]) / 2).to.be.closeTo(2.75, 1e-12);
    // runs that agree on every seed: the seeds' own t interval
    const seedsOnly = crossedTInterval([[0.1, 0.4, 0.2], [0.1, 0.4, 0.2]]);
    const t = tInterval([0.1, 0.4, 0.2]);
    expect(seedsOnly.ci[0]).to.be.closeTo(t[0], 1e-12);
    expect(seedsOnly.ci[1]).to.be.closeTo(t[1], 1e-12);
    // it holds the mean, never counts less spread than the seed-paired t interval of the runs' per-seed means
    // (the board's, which holds the runs fixed: its standard error is a floor), and a constant matrix gives a point
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 5 }), fc.integer({ min: 2, max: 8 }), fc.integer({ min: 0, max: 1000 }), (k, n, seed) => {
        // a run offset of any size (0: runs that agree up to noise) on top of seed effects and noise
        const runScale = (seed % 7) / 2;
        const m = Array.from({ length: k }, (_, i) => Array.from({ length: n }, (_, j) => runScale * Math.cos(seed * 5 + i) + Math.sin(seed + 7 * j * j) + 0.3 * Math.sin(seed + 3 * i + 7 * j * j)));
        const { ci: [lo, hi], se } = crossedTInterval(m);
        const perSeed = Array.from({ length: n }, (_, j) => mean(m.map((r) => r[j]!)));
        if (se < Math.sqrt(mean(perSeed.map((x) => (x - mean(perSeed)) ** 2)) * n / (n - 1) / n) - 1e-12) return false;
        // and it contains that interval: counting the runs' luck never narrows what the seeds alone allow
        const seedPaired = tInterval(perSeed);
        if (lo > seedPaired[0] + 1e-12 || hi < seedPaired[1] - 1e-12) return false;
        const flat = mean(m.flat());
        const point = crossedTInterval(m.map((r) => r.map(() => 0.5))).ci;
        return lo <= flat + 1e-12 && hi >= flat - 1e-12 && point[0] === 0.5 && point[1] === 0.5;
      }),
      { numRuns: 100, seed: 5 },
    );
    expect(() => crossedTInterval([[1, 2], [3]])).to.throw(RangeError, 'full matrix');
  });
});
