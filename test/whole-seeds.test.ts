/** The whole-seeds board (leaderboard --whole-seeds): a sweep that adds seeds one at a time is paged on the seeds every agent has finished. */
import { expect } from 'chai';
import fc from 'fast-check';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../core/errors.ts';
import { wholeSeeds } from '../benchmarks/leaderboard/whole-seeds.ts';
import { writeLeaderboard } from '../benchmarks/leaderboard/write.ts';
import { verdict } from '../benchmarks/leaderboard/verdict.ts';
import type { RunRecord } from '../benchmarks/sweep/run-record.ts';
import { fakeRecord, tempDir } from './helpers.ts';

const AGENTS = ['random', 'entropy'] as const;
const BUDGETS = [6, 12] as const;

/** Both agents at both budgets on `seeds`, minus the cells `missing` names (`agent@seed@budget`). */
function sweep(seeds: readonly number[], missing: ReadonlySet<string> = new Set()): RunRecord[] {
  return seeds.flatMap((seed) => AGENTS.flatMap((agent) => BUDGETS.flatMap((b) => (missing.has(`${agent}@${seed}@${b}`) ? [] : [
    fakeRecord({ agent, agentId: agent, seed, budgetRegions: b, testMIoU: 0.2 + 0.01 * seed + (agent === 'entropy' ? 0.01 : 0), trajectory: `${agent}${seed}` }),
  ]))));
}

describe('whole seeds', () => {
  it('keeps the seeds every agent has at every budget and counts the runs of the others', () => {
    // entropy has not reached budget 12 on seed 3 yet: seed 3's three runs leave the board
    const { kept, leftOut } = wholeSeeds(sweep([1, 2, 3], new Set(['entropy@3@12'])));
    expect([...new Set(kept.map((r) => r.seed))]).to.deep.equal([1, 2]);
    expect(kept).to.have.length(8);
    expect(leftOut).to.deep.equal({ runs: 3, seeds: [3] });
  });

  it('property: a kept seed is complete, a left-out seed is not, and no run is lost or counted twice', () => {
    const cell = fc.record({ agent: fc.constantFrom(...AGENTS), seed: fc.integer({ min: 1, max: 5 }), budget: fc.constantFrom(...BUDGETS) });
    fc.assert(fc.property(fc.array(cell, { maxLength: 12 }), (holes) => {
      const missing = new Set(holes.map((h) => `${h.agent}@${h.seed}@${h.budget}`));
      const records = sweep([1, 2, 3, 4, 5], missing);
      const seedsWithRuns = new Set(records.map((r) => r.seed));
      const complete = [1, 2, 3, 4, 5].filter((s) => AGENTS.every((a) => BUDGETS.every((b) => !missing.has(`${a}@${s}@${b}`))));
      // the rule reads the agents and budgets the records hold: every hole here leaves both in some seed
      const agentsLeft = new Set(records.map((r) => r.agentId)).size === AGENTS.length && new Set(records.map((r) => r.budgetRegions)).size === BUDGETS.length;
      if (!agentsLeft) return;
      if (complete.length === 0) {
        expect(() => wholeSeeds(records)).to.throw(ConfigError, /no seed has a run of every agent/);
        return;
      }
      const { kept, leftOut } = wholeSeeds(records);
      expect([...new Set(kept.map((r) => r.seed))].sort()).to.deep.equal(complete);
      expect(leftOut.seeds).to.deep.equal([...seedsWithRuns].filter((s) => !complete.includes(s)).sort((a, b) => a - b));
      expect(kept.length + leftOut.runs).to.equal(records.length);
    }));
  });

  it('the page says what it left out; a board with nothing left out says nothing', async () => {
    const dir = tempDir();
    const { kept, leftOut } = wholeSeeds(sweep([1, 2, 3, 4, 5], new Set(['random@5@12'])));
    const lb = await writeLeaderboard(kept, join(dir, 'partial'), { leftOut });
    expect(lb.seeds).to.deep.equal([1, 2, 3, 4]);
    expect(verdict(lb).sentences).to.include('Whole seeds only: 3 runs on seed 5, which not every agent has run at every budget yet, are left out of this page.');
    expect(readFileSync(join(dir, 'partial', 'leaderboard.md'), 'utf8')).to.include('Whole seeds only: 3 runs on seed 5');
    const all = wholeSeeds(sweep([1, 2, 3, 4]));
    expect(all.leftOut.runs).to.equal(0);
    const full = await writeLeaderboard(all.kept, join(dir, 'full'), { leftOut: all.leftOut });
    expect(verdict(full).sentences.join(' ')).to.not.include('Whole seeds only');
  });

  it('regiongym leaderboard --whole-seeds: pages the whole seeds; with none, the message names the seeds and no stack trace', () => {
    const dir = tempDir();
    const runs = join(dir, 'runs.jsonl');
    const write = (rs: readonly RunRecord[]) => writeFileSync(runs, rs.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const cli = () => spawnSync(process.execPath, ['bin/regiongym.mjs', 'leaderboard', runs, '--out', join(dir, 'board'), '--whole-seeds', '--no-overlays'], { encoding: 'utf8', timeout: 120_000 });
    write(sweep([1, 2, 3], new Set(['entropy@3@6'])));
    const ok = cli();
    expect(ok.status, ok.stderr).to.equal(0);
    expect(ok.stdout).to.match(/2 seeds, 2 budgets\) written to .*; 3 runs on seed 3 left out \(not whole yet\)/);
    write(sweep([1, 2], new Set(['entropy@1@6', 'random@2@12'])));
    const bad = cli();
    expect(bad.status).to.not.equal(0);
    expect(bad.stderr).to.include('--whole-seeds: no seed has a run of every agent (2) at every budget (6, 12); seeds in the records: 1, 2');
    expect(bad.stderr).to.not.match(/\n\s+at /);
  });

  it('regiongym compare --whole-seeds P: P is read on its whole seeds and the table names what it left out; an unknown P is refused', () => {
    const dir = tempDir();
    const file = (name: string, rs: readonly RunRecord[]) => {
      const f = join(dir, `${name}.jsonl`);
      writeFileSync(f, rs.map((r) => JSON.stringify(r)).join('\n') + '\n');
      return f;
    };
    const as = (protocol: string, rs: RunRecord[]) => rs.map((r) => ({ ...r, protocol, protocolHash: `h-${protocol}` }));
    const growing = file('growing', as('p-growing', sweep([1, 2, 3, 4], new Set(['entropy@4@12']))));
    const done = file('done', as('p-done', sweep([1, 2, 3, 4])));
    const out = join(dir, 'cmp.md');
    const cli = (...extra: string[]) => spawnSync(process.execPath, ['bin/regiongym.mjs', 'compare', growing, done, '--out', out, ...extra], { encoding: 'utf8', timeout: 120_000 });
    const ok = cli('--whole-seeds', 'p-growing');
    expect(ok.status, ok.stderr).to.equal(0);
    expect(readFileSync(out, 'utf8')).to.include('from 12 runs of p-growing (whole seeds only: 3 runs on seed 4 left out), 16 runs of p-done.');
    const bad = cli('--whole-seeds', 'p-missing');
    expect(bad.status).to.not.equal(0);
    expect(bad.stderr).to.include('--whole-seeds p-missing: no runs of that protocol here (protocols: p-growing, p-done)');
    expect(bad.stderr).to.not.match(/\n\s+at /);
  });
});
