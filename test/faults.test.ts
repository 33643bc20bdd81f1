/**
 * Reliability: concurrent writers on one runs file (no lost, duplicated or torn lines; two benches
 * share the work), calls into a busy env, and a selection of the bad-input matrix
 * (scripts/fault-cases.ts; `node --import tsx scripts/fault-matrix.ts` runs all of it): exit 2, one
 * line naming the value, nothing written or changed.
 */
import { expect } from 'chai';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConcurrentCallError } from '../core/errors.ts';
import { readRunRecords, runKey } from '../benchmarks/sweep/run-record.ts';
import { loadProtocol } from '../env/protocol/load.ts';
import { childExit } from '../scripts/child-exit.ts';
import { FAULT_CASES, runCase, runCasesConcurrently, runsBesideOthers, type CaseResult } from '../scripts/fault-cases.ts';
import { tinyEnv, pickAction } from './env-fixture.ts';
import { tempDir } from './helpers.ts';

describe('reliability', function () {
  this.timeout(600000);

  it('two processes appending 300 records each to one runs file keep all 600, whole and unique', async () => {
    const dir = tempDir();
    const out = join(dir, 'runs.jsonl');
    const script = join(dir, 'append.ts');
    writeFileSync(script, `import { appendRunRecord } from '${process.cwd()}/benchmarks/sweep/run-record.ts';
import { fakeRecord } from '${process.cwd()}/test/helpers.ts';
const who = Number(process.argv[2]);
for (let i = 0; i < 300; i++) appendRunRecord(process.argv[3]!, fakeRecord({ seed: who * 1000 + i }));
`);
    const runs = await Promise.all([0, 1].map((w) => childExit(['--import', 'tsx', script, String(w), out])));
    runs.forEach((r) => expect(r.status, r.stderr).to.equal(0));
    const records = readRunRecords(out);
    expect(records).to.have.length(600);
    expect(new Set(records.map(runKey)).size).to.equal(600);
    // the same key again is not written twice
    const { appendRunRecord } = await import('../benchmarks/sweep/run-record.ts');
    expect(appendRunRecord(out, records[0]!)).to.equal(false);
    expect(readFileSync(out, 'utf8').trim().split('\n')).to.have.length(600);
  });

  it('two benches on one runs file share the work: every run once, both exit 0', async () => {
    const dir = tempDir();
    const p = loadProtocol('synthetic-quick');
    const file = join(dir, 'p.json');
    writeFileSync(file, JSON.stringify({ ...p, name: 'tiny-two', data: { name: 'synthetic', scale: 0.1, synthetic: { seed: 1, counts: { d_t: 3, d_s: 1, d_v: 4, val: 2, test: 2 } } }, poolsPerStep: 3, poolSize: { policy: 3, eval: 3 }, budgets: [6, 12], policyBudget: 6, seeds: [1], segmentation: { ...p.segmentation, crop: 16, batchSize: 4 }, initialModel: { evaluation: 'scratch', pretrainEpochs: 0 }, finalTraining: { epochs: 2, patience: 2 } }));
    const out = join(dir, 'runs.jsonl');
    const args = ['bin/regiongym.mjs', 'bench', '--protocol', file, '--agents', 'random,entropy', '--workers', '2', '--threads', '1', '--inference', 'tfjs', '--training', 'tfjs', '--cache-dir', join(dir, 'cache'), '--out', out, '--progress-every', '0'];
    const runs = await Promise.all([0, 1].map(() => childExit(args)));
    runs.forEach((r) => expect(r.status, r.stderr).to.equal(0));
    // without a terminal, a labelling heartbeat between finished runs (--progress-every 0: every step)
    expect(runs.map((r) => r.stderr).join('')).to.match(/labelling: \d+ regions in [12] started trajectories after \d+ s \((random|entropy) seed 1: \d+\/12\)/);
    const records = readRunRecords(out);
    expect(records).to.have.length(4);
    expect(new Set(records.map(runKey)).size).to.equal(4);
  });

  it('a worker that fails while another is inside onnxruntime: exit 2 and the one-line message, not a native abort', async () => {
    // synthetic-quick's first budget: the tiny protocols above finish their native calls too soon to
    // be caught inside one (before the pool waited for its workers, this aborted on every try)
    const dir = tempDir();
    const out = join(dir, 'runs.jsonl');
    const bench = (budgets: string) => childExit(['bin/regiongym.mjs', 'bench', '--protocol', 'synthetic-quick', '--agents', 'random,entropy', '--seeds', '1', '--budgets', budgets, '--workers', '2', '--threads', '1', '--inference', 'ort', '--training', 'ort', '--cache-dir', join(dir, 'cache'), '--out', out]);
    const first = await bench('48');
    expect(first.status, first.stderr).to.equal(0);
    // one log no longer replays: its worker fails at its first step while the other replays on
    const log = join(`${out}.actions`, readdirSync(`${out}.actions`).sort()[0]!);
    const logged = JSON.parse(readFileSync(log, 'utf8')) as { steps: { reward: number }[] };
    logged.steps[0]!.reward += 1e-9;
    writeFileSync(log, JSON.stringify(logged));
    const second = await bench('48,96');
    expect(second.stderr).to.not.contain('terminate called');
    expect(second.status, second.stderr).to.equal(2);
    expect(second.stderr).to.match(/^regiongym: ActionLogError: .*step 1 replayed to reward/m);
  });

  it('a step or reset while another call is in flight throws ConcurrentCallError and changes nothing', async () => {
    const env = tinyEnv({ budgetRegions: 9 });
    const [obs] = await env.reset({ seed: 1 });
    const a = pickAction(obs.actionMask, 3, 3, [0, 0, 0]);
    const first = env.step(a);
    let error: unknown;
    await env.step(a).catch((e) => (error = e));
    expect(error).to.be.instanceOf(ConcurrentCallError);
    await env.reset({ seed: 2 }).catch((e) => (error = e));
    expect((error as Error).message).to.match(/reset\(\) while step\(\) is still running/);
    const [, , , , info] = await first;
    expect(info.usedRegions).to.equal(3); // only the awaited step labelled
    // a reset still running refuses a step too
    const pending = env.reset({ seed: 3 });
    await env.step(a).catch((e) => (error = e));
    expect((error as Error).message).to.match(/step\(\) while reset\(\) is still running/);
    await pending;
    env.close();
  });

  // one or more cases per item of the reliability issue, and every case of the hostile-input issue's eight
  // classes (the script runs all of them). Refusals run a few at a time from the first of them on: each is
  // a fresh command whose start dominates its time. The others run alone (after the refusals under way), in order.
  const root = tempDir();
  const cases = [
    ...FAULT_CASES.filter((c) => c.item !== undefined && !c.name.startsWith('CamVid')).map((c, i) => ({ c, dir: join(root, String(i)), title: `bad input (item ${c.item}): ${c.name} → exit 2, one line, nothing written` })),
    ...FAULT_CASES.filter((c) => c.cls !== undefined).map((c, i) => ({ c, dir: join(root, `cls-${i}`), title: `hostile input (class ${c.cls}): ${c.name}` })),
  ];
  const together = cases.filter(({ c }) => runsBesideOthers(c));
  let started: Promise<CaseResult>[] | null = null;
  const resultOf = (k: number) => (started ??= runCasesConcurrently(together))[k]!;
  for (const t of cases)
    it(t.title, async () => {
      const k = together.indexOf(t);
      // a case that runs alone waits for the refusals under way
      const r = k >= 0 ? await resultOf(k) : (await Promise.all(started ?? []), runCase(t.c, t.dir));
      expect(r.ok, `${r.why}\n${r.stderr}`).to.equal(true);
    });
});
