/**
 * The leaderboard from records built here: paired statistics against hand-made numbers, refusals
 * (duplicates, mixed protocols or engines), byte-for-byte regeneration, and the HTML page opened from
 * the file system in headless Chromium (Debian's package; skipped with a message when absent):
 * tables and figures render, no console errors.
 */
import { expect } from 'chai';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../core/errors.ts';
import { aggregate } from '../benchmarks/leaderboard/aggregate.ts';
import { runIndex } from '../benchmarks/leaderboard/run-index.ts';
import { readUpperBounds, writeLeaderboard } from '../benchmarks/leaderboard/write.ts';
import { verdict } from '../benchmarks/leaderboard/verdict.ts';
import { researchQuestions } from '../benchmarks/leaderboard/research-questions.ts';
import { tables } from '../benchmarks/leaderboard/render.ts';
import { policyId } from '../agents/dqn/policy-id.ts';
import type { RunRecord } from '../benchmarks/sweep/run-record.ts';
import { fakeRecord, tempDir } from './helpers.ts';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

/** random and entropy on seeds 1..4 at budgets 6, 12: entropy = random + 2 points at 12, +0..+1 at 6. */
function records(): RunRecord[] {
  const out: RunRecord[] = [];
  for (const seed of [1, 2, 3, 4])
    for (const budget of [6, 12]) {
      const base = 0.2 + 0.01 * seed + (budget === 12 ? 0.05 : 0);
      out.push(fakeRecord({ agent: 'random', agentId: 'random', seed, budgetRegions: budget, testMIoU: base, trajectory: `r${seed}` }));
      out.push(fakeRecord({ agent: 'entropy', agentId: 'entropy', seed, budgetRegions: budget, testMIoU: base + (budget === 12 ? 0.02 : 0.0025 * (seed - 1)), trajectory: `e${seed}` }));
    }
  return out;
}

/** A greedy oracle run at budget 6 only, 3 points above random on every seed. */
const oracleAt6 = (): RunRecord[] =>
  [1, 2, 3, 4].map((seed) => fakeRecord({ agent: 'oracle', agentId: 'oracle=2', privileged: true, baseline: true, seed, budgetRegions: 6, testMIoU: 0.23 + 0.01 * seed, trajectory: `o${seed}` }));

describe('leaderboard', function () {
  this.timeout(120000);

  it('the verdict’s headline agent has enough seeds: one run on a single lucky seed does not lead it', () => {
    const lucky = [6, 12].map((b) => fakeRecord({ agent: 'lucky', agentId: 'lucky', seed: 1, budgetRegions: b, testMIoU: 0.9, trajectory: 'l1' }));
    const lb = aggregate([...records(), ...lucky]);
    expect(verdict(lb).sentences[0]).to.match(/^Highest AUBC: entropy \(/);
  });

  it('a bound from several seeds shows its mean ± std; agent means above it are called out in the verdict', async () => {
    const dir = tempDir();
    const files = [0.26, 0.28, 0.3].map((m, i) => {
      const f = join(dir, `ub${i}.json`);
      writeFileSync(f, JSON.stringify({ test: { mIoU: m } }));
      return f;
    });
    const ub = readUpperBounds(files);
    expect(ub.mean).to.be.closeTo(0.28, 1e-12);
    expect(ub.std).to.be.closeTo(0.02, 1e-12);
    const lb = await writeLeaderboard(records(), join(dir, 'board'), { upperBound: ub });
    const md = readFileSync(join(dir, 'board', 'leaderboard.md'), 'utf8');
    expect(md).to.include('full supervision (upper bound, mean of 3 seeds ± 2.0)');
    // entropy and random at budget 12 reach 0.26 … 0.31: some means exceed 0.28
    expect(verdict(lb).sentences.join(' ')).to.match(/Warning: (1 mean exceeds|([2-9]|\d\d+) means exceed) the full-supervision bound of 28\.0 %/);
    const high = await writeLeaderboard(records(), join(dir, 'board-high'), { upperBound: readUpperBounds([files[2]!]) });
    expect(verdict(high).sentences.join(' ')).to.not.include('Warning');
    // a bound between the two highest means: one mean exceeds it, and the sentence says so in the singular
    const means = aggregate(records()).agents.flatMap((a) => a.cells.flatMap((c) => (c ? [c.mean] : []))).sort((x, y) => y - x);
    expect(means[0]).to.be.greaterThan(means[1]!);
    const one = join(dir, 'ub-one.json');
    writeFileSync(one, JSON.stringify({ test: { mIoU: (means[0]! + means[1]!) / 2 } }));
    const single = await writeLeaderboard(records(), join(dir, 'board-one'), { upperBound: readUpperBounds([one]) });
    expect(verdict(single).sentences.join(' ')).to.include('Warning: 1 mean exceeds the full-supervision bound');
  });

  it('protocol-rule bounds are a ceiling checked seed by seed: the runs are compared with the bounds of their own seeds', async () => {
    const dir = tempDir();
    // seeds 1, 2 with bounds 0.30 and 0.22: every run at 12 (0.26 … 0.29) is below seed 1's bound but the
    // seed-2 runs (0.27, 0.29) pass seed 2's; the unpaired mean (0.26) would flag seeds 3 and 4 instead
    const bound = (seed: number, m: number) => {
      const f = join(dir, `ub-seed${seed}.json`);
      writeFileSync(f, JSON.stringify({ test: { mIoU: m }, options: { protocolRule: true, seed } }));
      return f;
    };
    const ub = readUpperBounds([bound(1, 0.3), bound(2, 0.22)]);
    expect([...ub.bySeed!.entries()]).to.deep.equal([[1, 0.3], [2, 0.22]]);
    const lb = await writeLeaderboard(records(), join(dir, 'board'), { upperBound: ub });
    expect(lb.ceiling!.seeds).to.equal(2);
    // random at 12: seeds 1, 2 → 0.26, 0.27, mean 0.265 against (0.30 + 0.22)/2 = 0.26: above
    expect(lb.ceiling!.above.map((c) => `${c.agent}@${c.budget}`)).to.deep.equal(['random@12', 'entropy@12']);
    // two seed pairs cannot resolve anything (smallest exact p 0.5): the warning says so
    expect(lb.ceiling!.checked).to.equal(4);
    expect(verdict(lb).sentences.join(' ')).to.match(/Warning: 2 means exceed the protocol-rule bound on the same seeds, none resolved \(exact sign-flip tests of the per-seed differences, Holm-corrected over the 4 cells checked; on 2 seeds none could be\): random at 12 \(26\.5 % against 26\.0 % over 2 seeds, Holm p 1\)/);
    const holds = await writeLeaderboard(records(), join(dir, 'board-holds'), { upperBound: readUpperBounds([bound(1, 0.4), bound(2, 0.4)]) });
    expect(verdict(holds).sentences.join(' ')).to.include('The protocol-rule bound holds as a ceiling');
  });

  it('a cell above the bound on every one of 7 seeds is resolved above it (exact p = 2/128, the only cell checked): the final training is wrong', async () => {
    const dir = tempDir();
    const seeds = [1, 2, 3, 4, 5, 6, 7];
    const runs = seeds.map((seed) => fakeRecord({ agent: 'random', agentId: 'random', seed, budgetRegions: 12, testMIoU: 0.3 + 0.001 * seed, trajectory: `r${seed}` }));
    const files = seeds.map((seed) => {
      const f = join(dir, `ub-seed${seed}.json`);
      writeFileSync(f, JSON.stringify({ test: { mIoU: 0.29 }, options: { protocolRule: true, seed } }));
      return f;
    });
    const lb = await writeLeaderboard(runs, join(dir, 'board'), { upperBound: readUpperBounds(files) });
    expect(lb.ceiling!.checked).to.equal(1);
    expect(lb.ceiling!.above[0]!.pHolm).to.equal(2 / 128);
    expect(verdict(lb).sentences.join(' ')).to.include('Warning: 1 mean exceeds the protocol-rule bound on the same seeds, 1 of them resolved');
    expect(verdict(lb).sentences.join(' ')).to.include('the final training is wrong');
  });

  it('what a smaller family resolves reaches the verdict: two policies apart on all 6 seeds, level with random', () => {
    // dqn-a − dqn-b: +1 point on every seed (exact p = 2/2⁶ = 0.031, its own family of one pair: resolved);
    // both within ±0.5 of random with mixed signs (nothing resolved in the board's table)
    const rs = [1, 2, 3, 4, 5, 6].flatMap((seed) =>
      [6, 12].flatMap((budgetRegions) => {
        const base = 0.3 + 0.01 * seed + (budgetRegions === 12 ? 0.02 : 0);
        const wobble = (seed % 2 ? 1 : -1) * 0.005;
        return [
          fakeRecord({ agent: 'random', agentId: 'random', seed, budgetRegions, testMIoU: base, trajectory: `r${seed}` }),
          fakeRecord({ agent: 'dqn', agentId: 'dqn@a', baseline: false, seed, budgetRegions, testMIoU: base + wobble + 0.005, trajectory: `a${seed}` }),
          fakeRecord({ agent: 'dqn', agentId: 'dqn@b', baseline: false, seed, budgetRegions, testMIoU: base + wobble - 0.005, trajectory: `b${seed}` }),
        ];
      }),
    );
    const lb = aggregate(rs);
    const rq1 = researchQuestions(lb, rs, []).find((a) => a.id === 'RQ1')!;
    expect(rq1.resolved).to.have.length(1);
    expect(rq1.resolved![0]).to.match(/^dqn \(a\) − dqn \(b\) \+1\.0 \[\+1\.0, \+1\.0\] points \(p = 0\.031, Holm 0\.031 over 1 policy pair\)$/);
    const s = verdict(lb, [rq1]).sentences.join(' ');
    expect(s).to.include(`Resolved within RQ1's tables (AUBC, Holm within each table): ${rq1.resolved![0]}.`);
    expect(s).to.match(/0 of 2 agents are resolved above random in AUBC; 0 resolved below/);
    // without the answers, or with nothing resolved in them, the verdict says nothing of the kind
    expect(verdict(lb).sentences.join(' ')).to.not.include('Resolved within');
    const mixed = rs.map((r) => (r.agentId === 'dqn@b' && r.seed === 1 ? { ...r, testMIoU: r.testMIoU + 0.02 } : r));
    expect(researchQuestions(aggregate(mixed), mixed, []).find((a) => a.id === 'RQ1')!.resolved).to.equal(undefined);
  });

  it('a board too small to resolve anything says how many seeds would: a 1-point difference, and one the size of its largest', () => {
    // records(): entropy − random AUBC per seed 1.0, 1.125, 1.25, 1.375 points (sd 0.16): the exact test's
    // floor binds (6 seeds: 2/2⁶ < 0.05, the family being one agent)
    const s = verdict(aggregate(records())).sentences.join(' ');
    expect(s).to.match(/With 4 seed pairs the exact test's smallest p is [\d.]+: no agent can be resolved against random or the best baseline in this board's tables, however large its difference; run more seeds for findings: at this board's spread of paired AUBC differences to random \(sd 0\.2 points, median over the agents\), a 1-point difference needs about 6 seeds to be resolved with 80 % power\./);
    // differences 0, 0.8, 0.2, 0.6 points (mean 0.4, sd 0.365): 1 point needs the floor's 6; 0.4 points
    // needs 9 (t(0.975; 7) + z(0.8) = 3.207 > 0.4·√8/0.365 = 3.099; t(0.975; 8) + z = 3.148 ≤ 3.287)
    const small = [1, 2, 3, 4].flatMap((seed) =>
      [6, 12].flatMap((b) => {
        const base = 0.2 + 0.01 * seed;
        return [
          fakeRecord({ agent: 'random', agentId: 'random', seed, budgetRegions: b, testMIoU: base, trajectory: `r${seed}` }),
          fakeRecord({ agent: 'entropy', agentId: 'entropy', seed, budgetRegions: b, testMIoU: base + [0, 0.008, 0.002, 0.006][seed - 1]!, trajectory: `e${seed}` }),
        ];
      }),
    );
    expect(verdict(aggregate(small)).sentences.join(' ')).to.include("a 1-point difference needs about 6 seeds to be resolved with 80 % power, and one the size of entropy's (0.4 points) about 9.");
  });

  it('paired differences: entropy − random = +2.0 points at 12 on all 4 seeds, exact p = 2/16: not resolved, P(improvement) 1', () => {
    const lb = aggregate(records());
    const e = lb.agents.find((a) => a.agentId === 'entropy')!;
    const at12 = e.vsRandom[1]!;
    expect(at12.meanDiff).to.be.closeTo(0.02, 1e-12);
    // four pairs all one way is the strongest evidence 4 seeds can give, and it is not enough at 0.05
    expect(at12.p).to.equal(2 / 16);
    expect(at12.resolved).to.equal(false);
    expect(at12.ci[0]).to.be.closeTo(0.02, 1e-12); // no spread: a t interval of zero width
    expect(at12.probImprovement).to.equal(1);
    const at6 = e.vsRandom[0]!;
    expect(at6.meanDiff).to.be.closeTo(0.00375, 1e-12); // mean of 0, 0.25, 0.5, 0.75 points
    expect(at6.probImprovement).to.equal((0.5 + 3) / 4);
    expect(lb.agents[0]!.agentId).to.equal('entropy'); // ranked by AUBC
  });

  it('summed wall time: each trajectory\'s labelling once (its cumulative time at its last budget), every final training and test', () => {
    const timed = records().map((r) => ({ ...r, timings: { labelingMs: r.budgetRegions * 1000, finalTrainMs: 300, testMs: 200 } }));
    const lb = aggregate(timed);
    expect(lb.trajectories).to.equal(8);
    // 8 trajectories labelled to 12 regions (12 s each) + 16 runs of 0.5 s
    expect(lb.runTimeMs).to.equal(8 * 12000 + 16 * 500);
  });

  it('a comparison has one interval: agents added to the board, or listed first, leave the others\' intervals as they were', () => {
    const noisy = records().map((r) => ({ ...r, testMIoU: r.testMIoU + (r.agent === 'entropy' ? 0.003 * ((r.seed * 7 + r.budgetRegions) % 5) : 0) }));
    const intervals = (rs: RunRecord[]) => {
      const e = aggregate(rs).agents.find((a) => a.agentId === 'entropy')!;
      return { vsRandom: e.vsRandom.map((c) => c?.ci), aubc: e.aubcCi };
    };
    const others = [1, 2, 3, 4].flatMap((seed) => [6, 12].map((b) => fakeRecord({ agent: 'margin', agentId: 'margin', seed, budgetRegions: b, testMIoU: 0.1 + 0.02 * seed, trajectory: `m${seed}` })));
    const alone = intervals(noisy);
    expect(alone.vsRandom[0]![0]).to.be.below(alone.vsRandom[0]![1]); // a real interval, not a point
    expect(intervals([...others, ...noisy])).to.deep.equal(alone);
    expect(intervals([...noisy].reverse())).to.deep.equal(alone);
  });

  it('an agent run on fewer budgets has paired cells where it ran, no AUBC, and is never the best baseline', () => {
    // margin only at budget 6, far above everyone there: it must not become the reference of the others
    // (listed first: the first agent seen was the old starting point of the search for the best)
    const r = [...[1, 2, 3, 4].map((seed) => fakeRecord({ agent: 'margin', agentId: 'margin', seed, budgetRegions: 6, testMIoU: 0.9, trajectory: `m${seed}` })), ...records()];
    const lb = aggregate(r);
    const m = lb.agents.find((a) => a.agentId === 'margin')!;
    expect(m.aubcMean).to.be.NaN;
    expect(m.vsRandom[0]!.meanDiff).to.be.above(0.6);
    expect(m.vsRandom[0]!.p).to.equal(2 / 16);
    expect(m.vsRandom[1]).to.equal(null);
    expect(m.stepMs).to.be.a('number').and.not.NaN;
    expect(lb.agents.map((a) => a.agentId)).to.deep.equal(['entropy', 'random', 'margin']);
    const e = lb.agents.find((a) => a.agentId === 'entropy')!;
    expect(e.vsBestBaseline[0]!.other).to.equal('random'); // the best other baseline with an AUBC
  });

  it('the summary says on how many seeds an agent\'s AUBC std rests when some seeds lack a budget', () => {
    // random and entropy on 2 more seeds at budget 6 only: 6 seeds in all, 4 with the whole curve
    const extra = [5, 6].flatMap((seed) => ['random', 'entropy'].map((id) => fakeRecord({ agent: id, agentId: id, seed, budgetRegions: 6, testMIoU: 0.25, trajectory: `${id}${seed}` })));
    const rows = tables(aggregate([...records(), ...extra])).at(-1)!.rows;
    expect(rows.map((r) => r[1])).to.deep.equal(['6 (4 at every budget)', '6 (4 at every budget)']);
    expect(tables(aggregate(records())).at(-1)!.rows.map((r) => r[1])).to.deep.equal(['4', '4']);
  });

  it('a baseline with a curve on one seed only is never the best baseline, however high', () => {
    const r = [...[6, 12].map((b) => fakeRecord({ agent: 'margin', agentId: 'margin', seed: 1, budgetRegions: b, testMIoU: 0.9, trajectory: 'm1' })), ...records()];
    const lb = aggregate(r);
    expect(lb.bestBaseline).to.equal('entropy');
    expect(lb.agents.find((a) => a.agentId === 'entropy')!.vsBestBaseline[2]!.other).to.equal('random');
  });

  it('refuses duplicate runs, two protocols and mixed engines, naming them', () => {
    const r = records();
    expect(() => aggregate([...r, r[0]!])).to.throw(ConfigError, /two records for random seed 1 budget 6/);
    expect(() => aggregate([...r, fakeRecord({ protocolHash: 'other', seed: 9 })])).to.throw(ConfigError, /one protocol/);
    expect(() => aggregate([...r, fakeRecord({ training: 'ort', seed: 9 })])).to.throw(ConfigError, /mix gradient engines/);
    expect(() => aggregate([])).to.throw(ConfigError, /no run records/);
  });

  it('the same records give the same files, byte for byte; the page answers RQ1–RQ5', async () => {
    const [a, b] = [tempDir(), tempDir()];
    await writeLeaderboard(records(), a, { upperBound: 0.5 });
    await writeLeaderboard(records(), b, { upperBound: 0.5 });
    const files = readdirSync(a).sort();
    expect(files).to.include.members(['leaderboard.md', 'index.html', 'miou-vs-budget.svg', 'per-class-iou.svg']);
    for (const f of files) expect(readFileSync(join(a, f)).equals(readFileSync(join(b, f))), f).to.equal(true);
    const md = readFileSync(join(a, 'leaderboard.md'), 'utf8');
    for (const rq of ['RQ1', 'RQ2', 'RQ3', 'RQ4', 'RQ5']) expect(md).to.contain(`### ${rq}.`);
    expect(md).to.contain('entropy − random in AUBC');
    // 4 seeds: the page says its resolved cells are leads, not findings
    expect(md).to.contain('Some cells rest on 4 seed pairs');
    expect(md).to.contain('some from as few as 4 seed pairs, where the exact test cannot resolve any difference');
  });

  it('RQ3 names the agent best on the rare classes, and says none segments them when all are at 0.0 %', () => {
    const rq3 = (rs: RunRecord[]) => researchQuestions(aggregate(rs), rs, []).find((a) => a.id === 'RQ3')!.sentences.join(' ');
    expect(rq3(records())).to.match(/Highest mean IoU on them at 12 regions: \w+ with [\d.]+ %/);
    const blind = records().map((r) => ({ ...r, testPerClassIoU: r.testPerClassIoU.map(() => 0) }));
    const said = rq3(blind);
    expect(said).to.contain('No agent segments them at 12 regions: every agent\'s mean IoU on them is 0.0 %.');
    expect(said).not.to.contain('Highest mean IoU');
  });


  it('the rare classes pool every random run over every budget, and RQ3 says how many runs it pooled', () => {
    // at 6 regions 'sky' is random's rarest class, at 12 'pole' is; pooled over both (counts add), 'building' is
    const rs = records().map((r) => r.agentId !== 'random' ? r
      : { ...r, labeledClassHistogram: r.budgetRegions === 6 ? [10, 40, 300, 0] : [400, 60, 30, 0] });
    const lb = aggregate(rs);
    expect(lb.rareClasses[0]).to.equal(1);
    const rq3 = researchQuestions(lb, rs, []).find((a) => a.id === 'RQ3')!.sentences[0]!;
    expect(rq3).to.contain('its 8 runs pooled over every budget');
    expect(rq3).to.match(/are building, /);
  });

  it('RQ5 gives an agent run on fewer budgets its cost at its own largest budget, and says which', () => {
    const rs = [...records(), ...oracleAt6().map((r) => ({ ...r, timings: { labelingMs: 60000, finalTrainMs: 30000, testMs: 30000 } }))];
    const lb = aggregate(rs);
    const oracle = lb.agents.find((a) => a.agentId === 'oracle=2')!;
    expect(oracle.costBudget).to.equal(6);
    expect(oracle.runMs).to.equal(120000);
    const rq5 = researchQuestions(lb, rs, []).find((a) => a.id === 'RQ5')!;
    expect(rq5.sentences.find((x) => x.startsWith('oracle'))).to.contain('2.0 min per run at 6 regions.');
    expect(rq5.sentences.find((x) => x.startsWith('random'))).to.contain('min per run at 12 regions.');
    const row = (t: { rows: string[][] }, agent: string) => t.rows.find((r) => r[0]!.startsWith(agent))!.at(-1);
    expect(row(rq5.tables![0]!, 'oracle')).to.equal('2.0 (at 6)');
    expect(row(rq5.tables![0]!, 'random')).to.match(/^\d+\.\d$/);
    expect(row(tables(lb).at(-1)!, 'oracle')).to.equal('2.0 (at 6)');
  });
  it('RQ4 gives an upper bound run at one budget its headroom over random and the top agent, paired by seed', () => {
    // the oracle 3 points above random at budget 6 on every seed: +3.0 over random, +3.0 − entropy's 0.375 over entropy
    const oracle = oracleAt6();
    const rs = [...records(), ...oracle];
    const rq4 = researchQuestions(aggregate(rs), rs, []).find((a) => a.id === 'RQ4')!;
    const headroom = rq4.sentences.filter((x) => x.startsWith('Headroom'));
    expect(headroom).to.have.length(2);
    // exact p over 4 pairs all one way: 2/16; Holm over the 2 headroom cells at budget 6: 0.25
    expect(headroom[0]).to.equal('Headroom: oracle (upper bound) − random at 6 regions: +3.0 [+3.0, +3.0] points over 4 seeds (95 % t interval), exact sign-flip p = 0.13, Holm-adjusted 0.25 over 2 comparisons, P(improvement) 1.00, not resolved.');
    // differences 3.0, 2.75, 2.5, 2.25 points: mean 2.625, s = 0.3227, t(3) = 3.1824 → [2.11, 3.14]
    const m = /^Headroom: oracle \(upper bound\) − entropy at 6 regions: \+2\.6 \[\+([\d.]+), \+([\d.]+)\] points over 4 seeds \(95 % t interval\), exact sign-flip p = 0\.13, Holm-adjusted 0\.25 over 2 comparisons, P\(improvement\) 1\.00, not resolved\.$/.exec(headroom[1]!);
    expect(m, headroom[1]).to.not.equal(null);
    expect(Number(m![1])).to.equal(2.1);
    expect(Number(m![2])).to.equal(3.1);
    expect(rq4.sentences.join(' ')).not.to.contain('NaN');
  });

  it('the research questions print the tables\' comparisons: one pairing per (agents, budget), computed once', () => {
    const oracle = oracleAt6();
    const rs = [...records(), ...oracle];
    const lb = aggregate(rs);
    const index = runIndex(rs);
    const u = lb.agents.find((a) => a.agentId === 'oracle=2')!;
    // memoized: a second call returns the very array, not a second bootstrap
    expect(index.paired('oracle=2', 'random')).to.equal(index.paired('oracle=2', 'random'));
    const cell = u.vsRandom[0]!;
    const headroom = researchQuestions(lb, rs, []).find((a) => a.id === 'RQ4')!.sentences.find((x) => x.startsWith('Headroom: oracle (upper bound) − random at 6'))!;
    expect(headroom).to.contain(`[+${(100 * cell.ci[0]).toFixed(1)}, +${(100 * cell.ci[1]).toFixed(1)}]`);
    expect(index.paired('oracle=2', 'random')[0]).to.deep.include({ meanDiff: cell.meanDiff, ci: cell.ci, pairs: cell.pairs });
  });

  it('the research questions use the board\'s bootstrap replicates, so their intervals stay the tables\' at any count', () => {
    const rs = [...records(), ...oracleAt6()];
    for (const reps of [40, 2000]) {
      const lb = aggregate(rs, null, reps);
      const cell = lb.agents.find((a) => a.agentId === 'oracle=2')!.vsBestBaseline[0]!;
      expect(cell.other).to.equal('entropy');
      const headroom = researchQuestions(lb, rs, []).find((a) => a.id === 'RQ4')!.sentences.find((x) => x.startsWith('Headroom: oracle (upper bound) − entropy at 6'))!;
      expect(headroom, `${reps} replicates`).to.contain(`[+${(100 * cell.ci[0]).toFixed(1)}, +${(100 * cell.ci[1]).toFixed(1)}]`);
    }
  });

  it('RQ4 measures headroom against the guarded best agent, not one with a single lucky seed', () => {
    const oracle = oracleAt6();
    // a policy with the top AUBC on one seed: ranked first, yet too thin to be the reference
    const lucky = [6, 12].map((b) => fakeRecord({ agent: 'dqn', agentId: 'dqn@lucky', baseline: false, seed: 1, budgetRegions: b, testMIoU: 0.9, trajectory: 'd1' }));
    const rs = [...records(), ...oracle, ...lucky];
    const lb = aggregate(rs);
    expect(lb.agents[0]!.agentId).to.equal('dqn@lucky');
    expect(lb.bestDeployableId).to.equal('entropy');
    const headroom = researchQuestions(lb, rs, []).find((a) => a.id === 'RQ4')!.sentences.filter((x) => x.startsWith('Headroom'));
    expect(headroom.map((x) => /− (\S+) at/.exec(x)![1])).to.deep.equal(['random', 'entropy']);
  });

  it('RQ1 reports each DQN training run: its settings, the peak of its validation curve and where it ended', async () => {
    const runDir = (name: string, doc: object) => {
      const d = join(tempDir(), name);
      mkdirSync(d, { recursive: true });
      writeFileSync(join(d, 'training.json'), JSON.stringify(doc));
      return d;
    };
    const h = (n: number) => Array.from({ length: n }, (_, i) => ({ episode: i + 1, return: i, finalRewardMIoU: 0.3, steps: 2, ms: 1000, meanLoss: i === 0 ? null : 2 ** i }));
    const v = (e: number, m: number) => ({ episode: e, rewardMIoU: m, return: 0, ms: 500 });
    const main = runDir('main', { protocol: 'p', protocolHash: 'h', seed: 1, episodes: 6, dqn: { replay: 'uniform', lrDecayPerStep: 1 }, history: h(6), validation: [v(2, 0.3), v(4, 0.35), v(6, 0.2)], best: v(4, 0.35), resumes: [{ afterEpisodes: 3, exact: false }], references: [{ agent: 'random', rewardMIoU: 0.3, return: 1 }, { agent: 'entropy', rewardMIoU: 0.37, return: 2 }] });
    const decay = runDir('lr-decay', { protocol: 'p', protocolHash: 'h', seed: 1, episodes: 4, dqn: { lrDecayPerStep: 0.97 }, reward: { firstAgainstZero: true }, history: h(4), validation: [v(2, 0.31), v(4, 0.32)], best: v(4, 0.32) });
    mkdirSync(join(main, 'best'));
    writeFileSync(join(main, 'best', 'model.json'), '{}');
    writeFileSync(join(main, 'best', 'weights.bin'), 'w');
    const id = policyId(join(main, 'best'));
    mkdirSync(join(decay, 'best'));
    writeFileSync(join(decay, 'best', 'model.json'), '{}');
    writeFileSync(join(decay, 'best', 'weights.bin'), 'other weights');
    const decayId = policyId(join(decay, 'best'));
    const dqnRuns = [1, 2, 3, 4].flatMap((seed) => [6, 12].flatMap((b) => [
      fakeRecord({ agent: 'dqn', agentId: id, baseline: false, seed, budgetRegions: b, testMIoU: 0.2, trajectory: `d${seed}` }),
      fakeRecord({ agent: 'dqn', agentId: decayId, baseline: false, seed, budgetRegions: b, testMIoU: 0.25 + 0.01 * seed, trajectory: `e${seed}` }),
    ]));
    const out = tempDir();
    await writeLeaderboard([...records(), ...dqnRuns], out, { policies: [main, decay] });
    const md = readFileSync(join(out, 'leaderboard.md'), 'utf8');
    expect(md).to.contain('Training run main (uniform replay, constant lr, first reward against the initial model; 6 episodes, 0.00 h): best greedy validation reward-set mIoU 35.0 % after episode 4, 20.0 % after the last validated episode (6): −15.0 points from its best. On the same validation episode random reaches 30.0 % (best − random +5.0 points; 1 of 3 checkpoints above it), entropy reaches 37.0 % (best − entropy −2.0 points; 0 of 3 checkpoints above it); the mean of all 3 validation points is 28.3 % (one episode each, so leads, not findings). Mean TD loss 2.00 over its first 1 episode with updates, 32.0 over its last 1. Resumed after episode 3 with an empty replay buffer.');
    expect(md).to.contain('Training run lr-decay (uniform replay, lr ×0.97 per step, first reward against 0; 4 episodes, 0.00 h): best greedy validation reward-set mIoU 32.0 % after episode 4.');
    expect(md).to.contain('| main | uniform replay, constant lr, first reward against the initial model | 30.0 | 37.0 | 30.0 | 35.0 ★ | 20.0 |');
    expect(md).to.contain('| lr-decay | uniform replay, lr ×0.97 per step, first reward against 0 | – | – | 31.0 | 32.0 ★ | – |');
    expect(readdirSync(out)).to.include.members(['dqn-learning-curve.svg', 'dqn-learning-curve-2.svg']);
    // the policy's runs carry the training run and episode they come from
    expect(md).to.contain('| dqn (main, episode 4) |');
    expect(md).to.contain(`${id} is main's best validated checkpoint (episode 4)`);
    expect(md).to.contain('dqn (main, episode 4) vs random: resolved better at 0 of 2 budgets');
    // the validation score that picked each checkpoint, against what the checkpoint did on the board
    expect(md).to.contain('Validation against results: of the 2 evaluated checkpoints, the best validated (dqn (main, episode 4), 35.0 %) has AUBC 20.0 % on the 4 seeds they share (1, 2, 3, 4); the highest there is dqn (lr-decay, episode 4) (27.5 %, validated 32.0 %; whether the gap is resolved: “Policy against policy” above).');
    expect(md).to.contain('| dqn (lr-decay, episode 4) | 32.0 | 27.5 |');
    // two policies on one board are compared with each other, paired by seed
    expect(md).to.match(/Policy against policy: dqn \(lr-decay, episode 4\) − dqn \(main, episode 4\) in AUBC: \+7\.5 \[\+\d\.\d, \+\d\.\d\] points over 4 seeds \(95 % t interval\), exact sign-flip p = 0\.13, Holm-adjusted 0\.13 over 1 comparisons, P\(improvement\) 1\.00, not resolved\./);
  });

  it('three training runs of one configuration are one row: their checkpoints leave the board, RQ1 shows each run against random with a runs × seeds interval', async () => {
    const h = (n: number) => Array.from({ length: n }, (_, i) => ({ episode: i + 1, return: i, finalRewardMIoU: 0.3, steps: 2, ms: 1000, meanLoss: null }));
    const v = (e: number, m: number) => ({ episode: e, rewardMIoU: m, return: 0, ms: 500 });
    // runs 1..3 sit +1, +2, +3 points above random at every seed and budget
    const runs = [1, 2, 3].map((k) => {
      const d = join(tempDir(), `policy-seed${k}`);
      mkdirSync(join(d, 'best'), { recursive: true });
      writeFileSync(join(d, 'training.json'), JSON.stringify({ protocol: 'p', protocolHash: 'h', seed: k, episodes: 4, dqn: { replay: 'uniform', lrDecayPerStep: 1 }, history: h(4), validation: [v(2, 0.3), v(4, 0.3 + 0.01 * k)], best: v(4, 0.3 + 0.01 * k), validationEpisodes: 5 }));
      writeFileSync(join(d, 'best', 'model.json'), '{}');
      writeFileSync(join(d, 'best', 'weights.bin'), `weights ${k}`);
      return { dir: d, id: policyId(join(d, 'best')), k };
    });
    const dqnRuns = runs.flatMap(({ id, k }) => [1, 2, 3, 4].flatMap((seed) => [6, 12].map((b) => fakeRecord({ agent: 'dqn', agentId: id, baseline: false, seed, budgetRegions: b, testMIoU: 0.2 + 0.01 * seed + (b === 12 ? 0.05 : 0) + 0.01 * k, trajectory: `d${k}-${seed}` }))));
    const out = tempDir();
    const lb = await writeLeaderboard([...records(), ...dqnRuns], out, { policies: runs.map((r) => r.dir) });
    // the board: random, entropy and one replicated row; no checkpoint of a member
    expect(lb.agents.map((a) => a.agent)).to.have.members(['random', 'entropy', 'dqn (3 training runs, best validated checkpoints)']);
    const md = readFileSync(join(out, 'leaderboard.md'), 'utf8');
    const board = md.slice(md.indexOf('## Test mIoU'), md.indexOf('<a id="RQ1">'));
    expect(board).to.not.contain('policy-seed1');
    // RQ1's spread table: each run's AUBC and its difference to random, then the mean with its runs × seeds interval
    // (runs +1, +2, +3 points over random on every seed: the t interval over the 3 runs, 2.0 ± 4.30·1/√3)
    expect(md).to.contain('| policy-seed2 (2) | 27.0 | +2.0 |');
    expect(md).to.match(/\| mean of 3 \[runs × seeds 95 % CI\]; std between runs \| 27\.0 \[\d+\.\d, \d+\.\d\]; 1\.0 \| \+2\.0 \[−0\.5, \+4\.5\]; 1\.0 \|/);
    // the checkpoints the validation curves picked are still set against their results
    expect(md).to.contain('Validation against results: of the 3 evaluated checkpoints, the best validated (dqn (policy-seed3, episode 4), 33.0 %) has AUBC 28.0 %');
    expect(md).to.match(/dqn \(3 training runs, best validated checkpoints\) \(learned\): vs random \+2\.0 .*; counting the luck of its 3 training runs too \(runs and seeds as random effects, t interval\): − random \[−0\.5, \+4\.5\]/);
  });

  /** What a reader sees, checked: verdict first, a working table of contents, figures with legends, no console errors. */
  async function look(page: import('playwright-core').Page, file: string): Promise<string[]> {
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(pathToFileURL(file).href);
    // the verdict is the first content after the title, and the first screen holds its start
    const first = await page.evaluate(() => document.querySelector('h1')?.nextElementSibling?.id ?? null);
    expect(first, file).to.equal('verdict');
    expect((await page.locator('#verdict').boundingBox())!.y, file).to.be.below(300);
    // every table of contents entry leads somewhere on the page
    const targets = await page.locator('nav a').evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).hash.slice(1)));
    for (const id of targets) expect(await page.locator(`[id="${id}"]`).count(), `${file} #${id}`).to.equal(1);
    expect(await page.locator('table').count(), file).to.be.at.least(5);
    // every figure renders at a readable size; every one with more than one series has its legend
    const figs = page.locator('figure svg');
    expect(await figs.count(), file).to.be.at.least(5);
    for (let i = 0; i < (await figs.count()); i++) {
      expect((await figs.nth(i).boundingBox())!.width, `${file} figure ${i}`).to.be.above(200);
      const caption = (await figs.nth(i).locator('xpath=..').locator('figcaption').textContent())!;
      if (!caption.startsWith('Wall time')) expect(await figs.nth(i).locator('.role-legend').count(), `${file}: '${caption}' has no legend`).to.be.above(0);
    }
    // the research questions lead with their answer; the rest is folded
    expect(await page.locator('section#RQ4 ul.lead li').count(), file).to.be.above(0);
    expect(await page.locator('section#RQ4 details').count(), file).to.equal(1);
    return errors;
  }

  it('index.html in headless Chromium: the verdict first, every figure with its legend, no console errors; the published pages too', async function () {
    if (!CHROMIUM) {
      console.log('      (skipped: no Chromium at /usr/bin/chromium; apt-get install chromium to run it)');
      this.skip();
    }
    const dir = tempDir();
    await writeLeaderboard(records(), dir, { upperBound: 0.5 });
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
      expect(await look(page, join(dir, 'index.html'))).to.deep.equal([]);
      expect(await page.locator('#verdict li').first().textContent()).to.match(/^Highest AUBC: entropy/);
      const published = readdirSync('results').map((d) => join('results', d, 'index.html')).filter((f) => existsSync(f));
      expect(published.length).to.be.at.least(5);
      for (const f of published) {
        const p = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
        expect(await look(p, join(process.cwd(), f)), f).to.deep.equal([]);
        await p.screenshot({ path: join(dir, `${f.split('/')[1]}-top.png`) });
        await p.close();
      }
    } finally {
      await browser.close();
    }
  });
});
