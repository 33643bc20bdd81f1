/**
 * Sweeps beyond one process: the same sweep as 3 shards in 3 processes (index from
 * SLURM_ARRAY_TASK_ID, then from JOB_COMPLETION_INDEX) merges into exactly the records of one
 * process; a shard killed mid-run and re-run gives the same merged file; merge names what is missing.
 * And the deploy templates as shipped: the sbatch script parses, the Job YAML names the command,
 * the Dockerfile installs as the README says.
 */
import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { loadProtocol } from '../env/protocol/load.ts';
import type { RunRecord } from '../benchmarks/sweep/run-record.ts';
import { tempDir } from './helpers.ts';
import { childExit } from '../scripts/child-exit.ts';

const BIN = 'bin/regiongym.mjs';

function tinyProtocolFile(dir: string): string {
  const p = loadProtocol('synthetic-quick');
  const file = join(dir, 'tiny.json');
  writeFileSync(file, JSON.stringify({ ...p, name: 'tiny-shards', data: { name: 'synthetic', scale: 0.1, synthetic: { seed: 1, counts: { d_t: 3, d_s: 1, d_v: 4, val: 2, test: 2 } } }, poolsPerStep: 3, poolSize: { policy: 3, eval: 3 }, budgets: [6, 12], policyBudget: 6, seeds: [1, 2, 3], segmentation: { ...p.segmentation, crop: 16, batchSize: 4 }, initialModel: { evaluation: 'scratch', pretrainEpochs: 0 }, finalTraining: { epochs: 2, patience: 2 } }));
  return file;
}

const common = (protocol: string, cache: string) => ['bench', '--protocol', protocol, '--agents', 'random', '--workers', '1', '--threads', '1', '--inference', 'tfjs', '--training', 'tfjs', '--cache-dir', cache];

function run(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 240_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** run() without blocking: shards of one sweep run side by side, as an array job's tasks do. */
const runAsync = (args: string[], env: Record<string, string> = {}) => childExit([BIN, ...args], { env: { ...process.env, ...env }, timeoutMs: 240_000 });

const norm = (file: string) =>
  readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as RunRecord).map((r) => JSON.stringify({ ...r, timings: null, finishedAt: null })).sort();

describe('sweeps as shards (separate processes)', function () {
  this.timeout(600000);
  const dir = tempDir();
  const protocol = tinyProtocolFile(dir);
  const cache = join(dir, 'cache');
  const merge = (from: string, out: string) => run(['merge', from, '--protocol', protocol, '--agents', 'random', '--out', out]);

  it('lists a fixed run list with stable ids', () => {
    const a = run([...common(protocol, cache), '--list', '--json']);
    const b = run([...common(protocol, cache), '--list', '--json']);
    expect(a.status, a.stderr).to.equal(0);
    const items = a.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(items.map((t) => t.seed)).to.deep.equal([1, 2, 3]);
    expect(items.map((t) => t.index)).to.deep.equal([0, 1, 2]);
    expect(a.stdout).to.equal(b.stdout);
    expect(items[0]).not.to.have.property('done'); // without --out nothing to compare with
    // with an --out not written yet every budget is left
    const fresh = run([...common(protocol, cache), '--list', '--out', join(dir, 'none-yet.jsonl')]);
    expect(fresh.stdout.trim().split('\n').every((l) => l.endsWith('\tdone none'))).to.equal(true);
    expect(fresh.stderr).to.contain('0 of 6 runs already in');
  });

  it('3 Slurm shards, then 3 Indexed-Job shards, each merged, equal one process record for record', async () => {
    const single = join(dir, 'single.jsonl');
    const s = run([...common(protocol, cache), '--out', single]);
    expect(s.status, s.stderr).to.equal(0);
    const slurm = await Promise.all([0, 1, 2].map((i) => runAsync([...common(protocol, cache), '--out', join(dir, 'slurm')], { SLURM_ARRAY_TASK_ID: String(i + 4), SLURM_ARRAY_TASK_MIN: '4', SLURM_ARRAY_TASK_COUNT: '3' })));
    slurm.forEach((r, i) => {
      expect(r.status, r.stderr).to.equal(0);
      expect(r.stderr).to.contain(`shard ${i}/3`);
    });
    expect(readdirSync(join(dir, 'slurm')).filter((f) => f.endsWith('.jsonl'))).to.have.length(3);
    expect(merge(join(dir, 'slurm'), join(dir, 'slurm.jsonl')).status).to.equal(0);
    expect(norm(join(dir, 'slurm.jsonl'))).to.deep.equal(norm(single));
    // --list reads what is done from a runs file or a shard directory alike
    for (const out of [single, join(dir, 'slurm')]) {
      const listed = run([...common(protocol, cache), '--list', '--json', '--out', out]);
      expect(listed.stdout.trim().split('\n').map((l) => JSON.parse(l).done)).to.deep.equal([[6, 12], [6, 12], [6, 12]]);
      expect(listed.stderr).to.contain('6 of 6 runs already in').and.contain('0 of 3 trajectories have budgets left');
    }
    const k8s = await Promise.all([0, 1, 2].map((i) => runAsync([...common(protocol, cache), '--shards', '3', '--out', join(dir, 'k8s')], { JOB_COMPLETION_INDEX: String(i) })));
    for (const r of k8s) expect(r.status, r.stderr).to.equal(0);
    expect(merge(join(dir, 'k8s'), join(dir, 'k8s.jsonl')).status).to.equal(0);
    expect(norm(join(dir, 'k8s.jsonl'))).to.deep.equal(norm(single));
    // an index without a count is refused with the reason
    const bad = run([...common(protocol, cache), '--out', join(dir, 'x')], { JOB_COMPLETION_INDEX: '0' });
    expect(bad.status).to.equal(2);
    expect(bad.stderr).to.match(/JOB_COMPLETION_INDEX is set .* pass --shards/);
  });

  it('a shard killed mid-run and re-run gives the same merged file; merge names a missing shard by its ids', async () => {
    const out = join(dir, 'killed');
    const args = [...common(protocol, cache), '--shard', '1/3', '--out', out];
    const file = join(out, 'shard-001-of-003.jsonl');
    // kill once the first of the shard's two records is written
    await new Promise<void>((resolve) => {
      const child = spawn(process.execPath, [BIN, ...args], { stdio: 'ignore' });
      const timer = setInterval(() => {
        if (existsSync(file) && readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).length >= 1) child.kill('SIGKILL');
      }, 50);
      child.on('exit', () => (clearInterval(timer), resolve()));
    });
    const partial = readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).length;
    expect(partial).to.be.within(1, 2);
    for (const r of await Promise.all(['0/3', '2/3'].map((s) => runAsync([...common(protocol, cache), '--shard', s, '--out', out])))) expect(r.status, r.stderr).to.equal(0);
    // shard 1 is incomplete (killed): merge names its trajectory
    const missing = merge(out, join(dir, 'partial.jsonl'));
    if (partial < 2) {
      expect(missing.status).to.equal(2);
      expect(missing.stderr).to.match(/missing: trajectory [0-9a-f]{12} \(index 1: random seed 2\) budgets 12/);
    }
    expect(run(args).status).to.equal(0); // the re-run resumes and adds only what was missing
    expect(readFileSync(file, 'utf8').trim().split('\n')).to.have.length(2);
    expect(merge(out, join(dir, 'resumed.jsonl')).status).to.equal(0);
    expect(norm(join(dir, 'resumed.jsonl'))).to.deep.equal(norm(join(dir, 'single.jsonl')));
    // a deleted shard file: merge reports it by trajectory id and refuses to write
    rmSync(join(out, 'shard-002-of-003.jsonl'));
    const gone = merge(out, join(dir, 'gone.jsonl'));
    expect(gone.status).to.equal(2);
    expect(gone.stderr).to.match(/missing: trajectory [0-9a-f]{12} \(index 2: random seed 3\) budgets 6,12/);
    expect(existsSync(join(dir, 'gone.jsonl'))).to.equal(false);
  });
});

describe('a bench killed mid-trajectory', function () {
  this.timeout(600000);

  it('resumes from the action log: replays the logged steps and writes the records of an unbroken run', async () => {
    const dir = tempDir();
    const protocol = tinyProtocolFile(dir);
    const cache = join(dir, 'cache');
    const oracle = (out: string) => ['bench', '--protocol', protocol, '--agents', 'oracle', '--seeds', '1', '--workers', '1', '--threads', '1', '--inference', 'tfjs', '--training', 'tfjs', '--cache-dir', cache, '--out', out];
    const straight = join(dir, 'straight.jsonl');
    expect(run(oracle(straight)).status).to.equal(0);
    const out = join(dir, 'killed.jsonl');
    const logDir = `${out}.actions`;
    const loggedSteps = () => {
      const f = existsSync(logDir) ? readdirSync(logDir).find((x) => x.endsWith('.json')) : undefined;
      return f ? (JSON.parse(readFileSync(join(logDir, f), 'utf8')) as { steps: unknown[] }).steps.length : 0;
    };
    // kill once the first step is logged: 4 steps make the trajectory (12 regions, 3 a step)
    let atKill = 0;
    await new Promise<void>((resolve) => {
      const child = spawn(process.execPath, [BIN, ...oracle(out)], { stdio: 'ignore' });
      const timer = setInterval(() => {
        if (loggedSteps() >= 1) {
          atKill = loggedSteps();
          child.kill('SIGKILL');
        }
      }, 20);
      child.on('exit', () => (clearInterval(timer), resolve()));
    });
    expect(atKill).to.be.within(1, 3);
    const resumed = run(oracle(out));
    expect(resumed.status, resumed.stderr).to.equal(0);
    expect(resumed.stderr).to.contain('oracle seed 1: replaying its logged steps from');
    expect(loggedSteps()).to.equal(4);
    expect(norm(out)).to.deep.equal(norm(straight));
  });
});

describe('deploy templates as shipped', () => {
  it('the Slurm script parses and runs one shard per array task with the CPUs as --threads', () => {
    const r = spawnSync('bash', ['-n', 'deploy/slurm/sweep.sbatch'], { encoding: 'utf8' });
    expect(r.status, r.stderr).to.equal(0);
    const s = readFileSync('deploy/slurm/sweep.sbatch', 'utf8');
    expect(s).to.match(/#SBATCH --requeue/);
    expect(s).to.match(/npx regiongym bench .*--threads "\$\{SLURM_CPUS_PER_TASK/s);
  });

  it('the Indexed Job parses, runs bench with --shards equal to its completions, and mounts data, cache and runs', () => {
    const job = yaml.load(readFileSync('deploy/k8s/sweep-job.yaml', 'utf8')) as { spec: { completionMode: string; completions: number; template: { spec: { containers: { args: string[]; volumeMounts: { mountPath: string }[] }[] } } } };
    expect(job.spec.completionMode).to.equal('Indexed');
    const c = job.spec.template.spec.containers[0]!;
    expect(c.args[0]).to.equal('bench');
    expect(c.args).to.include(`--shards=${job.spec.completions}`);
    expect(c.volumeMounts.map((v) => v.mountPath).sort()).to.deep.equal(['/cache', '/data', '/runs']);
  });

  it("the Dockerfile installs on Node 20 with the README's cluster install command", () => {
    const docker = readFileSync('Dockerfile', 'utf8');
    const readme = readFileSync('README.md', 'utf8');
    expect(docker).to.match(/^FROM node:20/m);
    const run = /^RUN (.+)$/m.exec(docker)![1]!;
    const section = readme.slice(readme.indexOf('## Running a sweep on a cluster'));
    expect(section.length).to.be.above(100);
    expect(section).to.contain(run);
  });
});
