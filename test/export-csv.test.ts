/** `regiongym export --csv`: one row per run, per-class IoU columns, quoting that survives hostile labels; the README's pandas lines run on it. */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { recordsToCsv } from '../benchmarks/leaderboard/export-csv.ts';
import { appendRunRecord } from '../benchmarks/sweep/run-record.ts';
import { fakeRecord, tempDir } from './helpers.ts';

const run = (exe: string, code: string, cwd: string) => spawnSync(exe, ['-c', code], { cwd, encoding: 'utf8' });
const hasPython = spawnSync('python3', ['--version']).status === 0;
const python = (code: string, cwd: string) => run('python3', code, cwd);
// pandas may live in the system interpreter (Debian's python3-pandas) rather than the first python3 on PATH
const pandasPython = ['python3', '/usr/bin/python3'].find((exe) => spawnSync(exe, ['-c', 'import pandas']).status === 0) ?? null;

describe('export to CSV', () => {
  const records = [
    fakeRecord({ seed: 1, testMIoU: 0.25 }),
    fakeRecord({ seed: 2, agent: 'x, "quoted"\nlabel', agentId: 'x', testMIoU: 0.5, trajectory: 'x2' }),
    fakeRecord({ seed: 3, agent: '=HYPERLINK("http://example.invalid")', agentId: 'f', trajectory: 'f3' }),
  ];

  it('one row per run, class IoUs as named columns, hostile text quoted and defused', () => {
    const csv = recordsToCsv(records);
    const header = csv.split('\n')[0]!.split(',');
    expect(header.slice(-3)).to.deep.equal(['iou_sky', 'iou_building', 'iou_pole']);
    expect(csv).to.contain('"x, ""quoted""\nlabel"');
    expect(csv).to.contain(`"'=HYPERLINK(""http://example.invalid"")"`);
  });

  it("parses in Python's csv module to the same values", function () {
    if (!hasPython) {
      console.log('      (skipped: no python3)');
      this.skip();
    }
    const dir = tempDir();
    writeFileSync(join(dir, 'runs.csv'), recordsToCsv(records));
    const r = python('import csv, json; rows = list(csv.DictReader(open("runs.csv", newline=""))); print(json.dumps([[x["agent"], float(x["testMIoU"]), float(x["iou_pole"])] for x in rows]))', dir);
    expect(r.status, r.stderr).to.equal(0);
    expect(JSON.parse(r.stdout)).to.deep.equal([['random', 0.25, 0.1], ['x, "quoted"\nlabel', 0.5, 0.1], ["'=HYPERLINK(\"http://example.invalid\")", 0.3, 0.1]]);
  });

  it("the README's pandas lines run on an exported file (regiongym export)", function () {
    if (!pandasPython) {
      console.log('      (skipped: pandas is not installed; apt-get install python3-pandas to run it)');
      this.skip();
    }
    const dir = tempDir();
    appendRunRecord(join(dir, 'runs.jsonl'), records[0]!);
    appendRunRecord(join(dir, 'runs.jsonl'), fakeRecord({ seed: 2, budgetRegions: 12, testMIoU: 0.4 }));
    const e = spawnSync(process.execPath, ['bin/regiongym.mjs', 'export', join(dir, 'runs.jsonl'), '--csv', join(dir, 'runs.csv')], { encoding: 'utf8' });
    expect(e.status, e.stderr).to.equal(0);
    const readme = readFileSync('README.md', 'utf8');
    const code = /## Results in pandas[\s\S]*?```python\n([\s\S]*?)```/.exec(readme)![1]!;
    const r = run(pandasPython, code, dir);
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/random\s+0\.25\s+0\.4/);
  });
});
