/** `regiongym compare`: the same agents on two protocols (learners), ranks and paired gains over random per protocol. */
import { expect } from 'chai';
import { ConfigError } from '../core/errors.ts';
import { compareProtocols, comparisonMarkdown } from '../benchmarks/leaderboard/compare.ts';
import type { RunRecord } from '../benchmarks/sweep/run-record.ts';
import { fakeRecord } from './helpers.ts';
import fc from 'fast-check';
import { acrossGain, acrossVerdict, performanceProfile, relativeGains } from '../benchmarks/leaderboard/across-protocols.ts';
import type { Comparison } from '../benchmarks/leaderboard/aggregate.ts';
import { boardOf } from '../benchmarks/leaderboard/write.ts';
import type { PolicyRun } from '../benchmarks/leaderboard/research-questions.ts';

/** random, entropy, margin on seeds 1..8 at budgets 6, 12 (8 pairs all one way give the exact test p = 2/256,
 * enough after Holm over 2 agents); `gain` adds points over random per agent. */
function board(protocol: string, model: string, gain: Record<string, (seed: number) => number>): RunRecord[] {
  const out: RunRecord[] = [];
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8])
    for (const b of [6, 12])
      for (const agent of ['random', 'entropy', 'margin']) {
        const base = 0.2 + 0.01 * seed + (b === 12 ? 0.05 : 0);
        out.push(fakeRecord({ protocol, protocolHash: `h-${protocol}`, model: { name: model }, agent, agentId: agent, seed, budgetRegions: b, testMIoU: base + (gain[agent]?.(seed) ?? 0), trajectory: `${agent}${seed}` }));
      }
  return out;
}

describe('compare protocols', () => {
  it('reads each runs file as its leaderboard does: a DQN trained twice is one row once both runs are benched, none before', () => {
    const run = (seed: number): { run: PolicyRun } => ({ run: { label: `policy-seed${seed}`, settings: 's', episodes: 10, trainMs: 0, validationEpisodes: 5, validation: [], best: null, resumes: [], references: [], losses: [], bestAgentId: null, lastAgentId: `dqn@last${seed}`, seed, configuration: 'C' } });
    const strongBoard = board('p-strong', 'frozen-encoder', {});
    const benched = (seeds: number[]) => strongBoard.filter((r) => r.agentId === 'random').flatMap((r) => seeds.map((k) => ({ ...r, agent: 'dqn', agentId: `dqn@last${k}`, baseline: false, testMIoU: r.testMIoU + 0.01 * k, trajectory: `d${k}-${r.seed}` })));
    const weakBoard = board('p-weak', 'unet-s', {});
    const trainings = [run(1), run(2)];
    const agentsOf = (records: RunRecord[]) => compareProtocols([weakBoard, boardOf(records, trainings).board], 200).rows.map((r) => r.agent);
    // only run 1 benched: its checkpoint is no row (as on the page), not even under its hash
    expect(agentsOf([...strongBoard, ...benched([1])]).filter((a) => a.startsWith('dqn'))).to.deep.equal([]);
    expect(agentsOf([...strongBoard, ...benched([1, 2])]).filter((a) => a.startsWith('dqn'))).to.deep.equal(['dqn (2 training runs, last checkpoints)']);
  });

  // on the weak learner selection changes nothing resolvable; on the strong one entropy gains 3 points
  // on every seed and margin 1 point on every seed but one
  const weak = board('p-weak', 'unet-s', { entropy: (s) => (s % 2 ? 0.003 : -0.002), margin: (s) => (s % 2 ? -0.002 : 0.001) });
  const strong = board('p-strong', 'frozen-encoder', { entropy: () => 0.03, margin: (s) => (s === 3 ? 0.005 : 0.01) });

  it('ranks each protocol, pairs with random within it, and says which gains are resolved', () => {
    const cmp = compareProtocols([weak, strong], 500);
    expect(cmp.boards.map((b) => b.protocol)).to.deep.equal(['p-weak', 'p-strong']);
    const row = (a: string) => cmp.rows.find((r) => r.agent === a)!;
    expect(row('entropy').cells[1]!.rank).to.equal(1);
    expect(row('margin').cells[1]!.rank).to.equal(2);
    expect(row('random').cells[1]!.rank).to.equal(3);
    expect(row('random').cells[0]!.vsRandom).to.equal(null);
    expect(row('entropy').cells[1]!.vsRandom!.meanDiff).to.be.closeTo(0.03, 1e-12);
    expect(row('entropy').cells[1]!.vsRandom!.resolved).to.equal(true);
    expect(row('entropy').cells[0]!.vsRandom!.resolved).to.equal(false);
    expect(cmp.sentences[0]).to.match(/^p-weak \(unet-s, 8 seeds\).*resolved better than random: none;/);
    expect(cmp.sentences[1]).to.match(/^p-strong \(frozen-encoder, 8 seeds\).*largest, entropy \+3\.0 \[\+3\.0, \+3\.0\], is resolved; resolved better than random: entropy, margin;/);
    expect(cmp.sentences[2]).to.match(/^p-weak against p-strong: 3 agents ran on both; their AUBC rankings rank-correlate at ρ = /);
    // entropy is level with random on the weak board and first of 3 on the strong one
    expect(cmp.sentences[2]).to.match(/the largest move among them is \w+, rank \d → \d of 3\./);
    const md = comparisonMarkdown(cmp);
    expect(md).to.include('| agent | p-weak — unet-s | p-strong — frozen-encoder | across protocols (vs random) |');
    expect(md).to.match(/\| entropy \| \d\. [\d.]+ · [+−][\d.]+ \[[^\]]+\] \(8\) \| 1\. [\d.]+ · \+3\.0 \[\+3\.0, \+3\.0\] ▲ \(8\) \|/);
    // the same inputs give the same text
    expect(comparisonMarkdown(compareProtocols([weak, strong], 500))).to.equal(md);
  });

  it('says on how many seeds the AUBCs rest when some seeds lack a budget', () => {
    // the weak protocol on 2 more seeds at budget 6 only: 7 seeds, 5 with the whole curve
    const extra = [9, 10].flatMap((seed) => ['random', 'entropy', 'margin'].map((agent) => fakeRecord({ protocol: 'p-weak', protocolHash: 'h-p-weak', model: { name: 'unet-s' }, agent, agentId: agent, seed, budgetRegions: 6, testMIoU: 0.25, trajectory: `${agent}${seed}` })));
    const cmp = compareProtocols([[...weak, ...extra], strong], 500);
    expect(cmp.sentences[0]).to.match(/^p-weak \(unet-s, 10 seeds, 8 at every budget\): /);
    expect(cmp.sentences[1]).to.match(/^p-strong \(frozen-encoder, 8 seeds\): /);
  });

  it("a DQN meets the other protocol's DQN of the same training-run name, whatever episode was picked", () => {
    const dqn = (recs: RunRecord[], label: string, id: string) => recs.filter((r) => r.agentId === 'margin').map((r) => ({ ...r, agent: label, agentId: id, baseline: false }));
    const a = [...weak, ...dqn(weak, 'dqn (policy, episode 5)', 'dqn@a')];
    const b = [...strong, ...dqn(strong, 'dqn (policy, episode 90)', 'dqn@b'), ...dqn(strong, 'dqn (policy-lr-decay, episode 10)', 'dqn@c')];
    const cmp = compareProtocols([a, b], 500);
    const row = cmp.rows.find((r) => r.agent === 'dqn (policy)')!;
    expect(row.cells.every((c) => c !== null)).to.equal(true);
    expect(cmp.rows.find((r) => r.agent === 'dqn (policy-lr-decay)')!.cells[0]).to.equal(null);
    // two checkpoints of one run on one board stay apart
    const twice = compareProtocols([a, [...b, ...dqn(strong, 'dqn (policy, episode 35)', 'dqn@d')]], 500);
    expect(twice.rows.map((r) => r.agent)).to.include.members(['dqn (policy, episode 90)', 'dqn (policy, episode 35)', 'dqn (policy)']);
  });

  it('an agent one protocol lacks is a dash there, not a zero', () => {
    const cmp = compareProtocols([weak.filter((r) => r.agentId !== 'margin'), strong], 500);
    const margin = cmp.rows.find((r) => r.agent === 'margin')!;
    expect(margin.cells[0]).to.equal(null);
    expect(comparisonMarkdown(cmp)).to.match(/\| margin \| – \| 2\./);
  });

  it('at one budget: each board keeps only its runs there, and a protocol without them is refused, naming it', () => {
    // at budget 12 only, entropy − random on the strong board is still its +3.0 (it gains 3 points everywhere)
    const cmp = compareProtocols([weak, strong], 500, [12]);
    expect(cmp.boards.map((b) => b.lb.budgets)).to.deep.equal([[12], [12]]);
    expect(cmp.boards[1]!.runs).to.equal(24);
    expect(cmp.rows.find((r) => r.agent === 'entropy')!.cells[1]!.vsRandom!.meanDiff).to.be.closeTo(0.03, 1e-12);
    expect(comparisonMarkdown(cmp)).to.include('Restricted to the runs at budget 12 regions');
    expect(comparisonMarkdown(compareProtocols([weak, strong], 500))).not.to.include('Restricted');
    expect(() => compareProtocols([weak, strong.filter((r) => r.budgetRegions === 6)], 500, [12])).to.throw(ConfigError, /protocol 'p-strong' has no runs at budget 12; it has 6/);
  });

  it('refuses one protocol, or one protocol twice, naming it', () => {
    expect(() => compareProtocols([weak])).to.throw(ConfigError, /at least 2 protocols; got 1/);
    const again = weak.map((r) => ({ ...r, protocolHash: 'other' }));
    expect(() => compareProtocols([weak, again])).to.throw(ConfigError, /'p-weak' is given twice \(hash h-p-weak, hash other\)/);
  });

  it('across protocols: the verdict on each agent against random, its relative gain and its profile', () => {
    // on a third protocol entropy is resolved worse (−3 points on every seed): a resolved flip
    const reversed = board('p-reversed', 'unet-s', { entropy: () => -0.03, margin: (s) => (s === 3 ? 0.002 : 0.004) });
    const cmp = compareProtocols([weak, strong, reversed], 500);
    const row = (a: string) => cmp.rows.find((r) => r.agent === a)!;
    expect(row('entropy').across).to.equal('flips: resolved better on p-strong; resolved worse on p-reversed');
    expect(row('margin').across).to.equal('mixed: ahead on p-strong, p-reversed, behind on p-weak (no resolved flip)');
    // entropy's gains: +3 points over random's 0.2 + 0.01·seed (+0.05 at 12) on p-strong, −3 on p-reversed
    expect(row('entropy').gain!.protocols).to.equal(3);
    expect(row('entropy').gain!.pairs).to.equal(24);
    expect(row('random').gain).to.equal(null);
    const md = comparisonMarkdown(cmp, 'x-profile.svg');
    expect(md).to.include('![performance profile](x-profile.svg)');
    expect(cmp.sentences.at(-2)).to.match(/^Across the 3 protocols \(2 agents on 2 or more\):.*resolved better on one protocol and resolved worse on another: entropy\.$/);
  });

  it('relative gains pair by seed; the IQM aggregate needs 2 protocols; verdicts say only what was resolved', () => {
    expect(relativeGains(new Map([[1, 0.33], [2, 0.5], [3, 0.9]]), new Map([[1, 0.3], [2, 0.5]]))).to.deep.equal([(0.33 - 0.3) / 0.3, 0]);
    expect(acrossGain([[0.1, 0.2]], 100, 1)).to.equal(null);
    // IQM of 8 values drops the lowest 2 and the highest 2
    const g = acrossGain([[0, 1, 2, 3], [4, 5, 6, 100]], 200, 1)!;
    expect(g.iqm).to.equal(3.5);
    expect(g.ci[0]).to.be.at.most(g.iqm);
    expect(g.ci[1]).to.be.at.least(g.iqm);
    const c = (meanDiff: number, resolved: boolean) => ({ meanDiff, resolved }) as Comparison;
    expect(acrossVerdict([c(0.01, false), null, c(0.02, true)], ['a', 'b', 'c'])).to.equal('ahead on all 2 (resolved on c)');
    expect(acrossVerdict([c(-0.01, false), c(-0.02, false)], ['a', 'b'])).to.equal('behind on all 2 (resolved on none)');
    expect(acrossVerdict([c(0.01, true), c(-0.02, false)], ['a', 'b'])).to.equal('mixed: ahead on a, behind on b (no resolved flip)');
    expect(acrossVerdict([c(0.01, true), null], ['a', 'b'])).to.equal('on a only');
  });

  it('a performance profile lies in [0, 1] and never rises with the threshold, each protocol weighing the same (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 5 }), (byProtocol) => {
        const ts = [-1.5, -0.5, -0.1, 0, 0.1, 0.5, 1.5];
        const p = performanceProfile(byProtocol, ts);
        return p.every((v) => v >= 0 && v <= 1) && p.every((v, i) => i === 0 || v <= p[i - 1]!) && p[0] === 1 && p[p.length - 1] === 0;
      }),
      { numRuns: 200, seed: 3 },
    );
    // one protocol of 1 seed above 0 and one of 4 seeds below: half, not a fifth
    expect(performanceProfile([[0.5], [-0.1, -0.2, -0.3, -0.4]], [0])).to.deep.equal([0.5]);
  });
});
