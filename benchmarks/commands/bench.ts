/** `regiongym bench`: the agent × seed × budget sweep with a progress bar. */
import type { Command } from 'commander';
import { MultiBar, Presets } from 'cli-progress';
import { lastValueFrom, tap } from 'rxjs';
import { parseAgentList } from '../../agents/registry.ts';
import { resolveProtocol } from '../../env/make-env.ts';
import { doneByTrajectory, planBench, runBench } from '../bench.ts';
import { runsFiles } from '../merge.ts';
import { intListOption, intOption } from '../cli-options.ts';
import { addComputeOptions, checkCompute, computeOptions, type ComputeOptions } from '../compute.ts';
import { ConfigError } from '../../env/core/errors.ts';
import { defaultCacheDir } from '../../env/cache-dir.ts';
import { prepareProtocol } from '../prepare.ts';
import { checkBudgets, withoutFeatureCache } from '../checks.ts';
import { resolveShard, runList, shardFile } from '../run-list.ts';
import { protocolHash } from '../../env/protocol/hash.ts';
import { existsSync, readdirSync, statSync } from 'node:fs';

interface Opts extends ComputeOptions {
  protocol: string;
  agents: string;
  seeds?: number[];
  budgets?: number[];
  workers: number;
  out?: string;
  root?: string;
  cacheDir: string;
  featureCache: boolean;
  list: boolean;
  json: boolean;
  shard?: string;
  shards?: number;
  progressEvery: number;
}

/** The runs files `--list` compares with: none without --out; an --out not yet written (or a shard directory with no files yet) has nothing done. */
function listedRunsFiles(out: string | undefined): string[] | null {
  if (out === undefined) return null;
  if (!existsSync(out)) return [];
  if (statSync(out).isDirectory() && !readdirSync(out).some((f) => f.endsWith('.jsonl'))) return [];
  return runsFiles([out]);
}

export function registerBench(program: Command): void {
  const cmd = program
    .command('bench')
    .description('run agents × seeds × budgets of a protocol; appends one JSON line per run (re-running resumes)')
    .option('--protocol <name|file>', 'registered id, shipped protocol name or protocol file', 'synthetic-quick')
    .option('--agents <list>', 'comma-separated agents (npx regiongym agents lists them), e.g. random,entropy,dqn=<policy dir>', 'random,entropy,bald')
    .option('--seeds <list>', "comma-separated seeds (default: the protocol's)", intListOption('--seeds'))
    .option('--budgets <list>', "comma-separated budgets in regions (default: the protocol's)", intListOption('--budgets', 1))
    .option('--workers <n>', 'parallel worker threads (one wasm instance each)', intOption('--workers', 1), 2)
    .option('--out <file.jsonl|dir>', 'run records (JSON lines); with sharding a directory that gets one file per shard')
    .option('--list', 'print the run list (trajectory index, id, agent, seed, budgets; with --out also the budgets already run there) and exit', false)
    .option('--json', 'with --list: one JSON object per line', false)
    .option('--shard <i/n>', 'run shard i of n (trajectory j when j mod n = i); default from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX')
    .option('--shards <n>', 'shard count when the index comes from JOB_COMPLETION_INDEX (Kubernetes Indexed Jobs)', intOption('--shards', 1))
    .option('--root <dir>', 'data folder of a real data set')
    .option('--cache-dir <dir>', 'learner cache: encoder features, pre-trained weights (shared by runs files)', defaultCacheDir())
    .option('--no-feature-cache', 'keep encoder features in memory only')
    .option('--progress-every <s>', 'without a terminal: a labelling-progress line at most every s seconds between finished runs (0: at every step)', intOption('--progress-every', 0), 60);
  addComputeOptions(cmd, 'wasm').action(async (o: Opts) => {
    await checkCompute(o);
    const protocol = resolveProtocol(o.protocol);
    const agents = parseAgentList(o.agents);
    const budgets = o.budgets ?? protocol.budgets;
    const offGrid = budgets.find((b) => b % protocol.poolsPerStep !== 0);
    if (offGrid !== undefined) throw new ConfigError(`budget ${offGrid} is not a multiple of poolsPerStep = ${protocol.poolsPerStep} (the env labels whole steps)`);
    const seeds = o.seeds ?? protocol.seeds;
    const sorted = [...budgets].sort((a, b) => a - b);
    if (o.list) {
      const list = runList(protocol, agents, seeds, sorted);
      // with --out, each trajectory's budgets already run there: what a sweep has left
      const files = listedRunsFiles(o.out);
      const done = files ? doneByTrajectory(files, protocol, list) : null;
      list.forEach((t, i) => {
        const d = done?.[i];
        console.log(o.json ? JSON.stringify({ index: t.index, id: t.id, protocol: protocol.name, protocolHash: protocolHash(protocol), agent: t.agent.label, agentId: t.agent.id, seed: t.seed, budgets: t.budgets, ...(d ? { done: d } : {}) }) : `${t.index}\t${t.id}\t${t.agent.label}\tseed ${t.seed}\tbudgets ${t.budgets.join(',')}${d ? `\tdone ${d.length ? d.join(',') : 'none'}` : ''}`);
      });
      if (done) {
        const runs = done.reduce((n, d) => n + d.length, 0);
        const left = done.filter((d, i) => d.length < list[i]!.budgets.length).length;
        process.stderr.write(`${runs} of ${list.length * sorted.length} runs already in ${o.out}; ${left} of ${list.length} trajectories have budgets left\n`);
      }
      return;
    }
    if (!o.out) throw new ConfigError('--out is required (a runs file, or with sharding a directory)');
    const shard = resolveShard(o.shard, o.shards);
    const outFile = shard ? shardFile(o.out, shard) : o.out;
    if (!shard && existsSync(o.out) && statSync(o.out).isDirectory()) throw new ConfigError(`--out ${o.out} is a directory: name a runs file (a directory is for sharded runs: --shard i/n)`);
    const opts = { protocol, agents, seeds, budgets: sorted, workers: o.workers, compute: computeOptions(o), outFile, dataRoot: o.root, cacheDir: o.cacheDir, shard };
    const plan = planBench(opts);
    if (plan.jobs.length > 0) {
      // data and learner features once, shared by every worker
      const data = await prepareProtocol(o.featureCache ? protocol : withoutFeatureCache(protocol), { dataRoot: o.root, cacheDir: o.cacheDir, threads: o.threads, onProgress: (d, n) => d % 50 === 0 && process.stderr.write(`features: ${d}/${n} images\n`) });
      checkBudgets(protocol, data, opts.budgets);
    }
    process.stderr.write(`bench ${protocol.name}${shard ? ` shard ${shard.index}/${shard.count}` : ''}: ${plan.totalRuns} runs (${plan.skippedRuns} already in ${outFile}), ${plan.jobs.length} trajectories on ${o.workers} workers, inference ${o.inference}, training ${o.training}\n`);
    const t0 = performance.now();
    const tty = process.stderr.isTTY === true;
    const bars = tty ? new MultiBar({ format: '{label} |{bar}| {value}/{total} {unit} eta {eta_formatted}', stream: process.stderr, hideCursor: true }, Presets.shades_classic) : null;
    const runsBar = bars?.create(plan.totalRuns, plan.skippedRuns, { label: 'runs   ', unit: 'runs' });
    const regionsBar = bars?.create(plan.jobs.length * budgets[budgets.length - 1]!, 0, { label: 'labels ', unit: 'regions' });
    const regions = new Map<string, number>();
    const replaying = new Set<string>();
    let done = plan.skippedRuns;
    let lastProgressLine = t0;
    const events = runBench(opts, plan).pipe(
      tap((e) => {
        if (e.message.type === 'record') {
          done += 1;
          runsBar?.increment();
          const r = e.message.record;
          // without a terminal (CI, logs) one line per finished run, with an ETA from the mean run time
          if (!tty) {
            const elapsed = performance.now() - t0;
            const eta = (elapsed / (done - plan.skippedRuns)) * (plan.totalRuns - done);
            process.stderr.write(`run ${done}/${plan.totalRuns}: ${r.agent} seed ${r.seed} budget ${r.budgetRegions} → test mIoU ${(100 * r.testMIoU).toFixed(2)} % (eta ${(eta / 1000).toFixed(0)} s)\n`);
          }
        }
        if (e.message.type === 'progress') {
          const key = `${e.job.agent.label}/${e.job.seed}`;
          // a trajectory stopped before (or run to smaller budgets) replays its logged steps first: say so once
          if (e.message.progress.replayedSteps > 0 && !replaying.has(key)) {
            replaying.add(key);
            const line = `${e.job.agent.label} seed ${e.job.seed}: replaying its logged steps from ${e.job.actionLog}`;
            if (bars) bars.log(`${line}\n`);
            else process.stderr.write(`${line}\n`);
          }
          regions.set(key, e.message.progress.usedRegions);
          const labelled = [...regions.values()].reduce((a, b) => a + b, 0);
          regionsBar?.update(labelled);
          // a trajectory's runs can be an hour apart (the oracle probes ~50 candidates a step): logs get a heartbeat
          const now = performance.now();
          if (!tty && now - lastProgressLine >= 1000 * o.progressEvery) {
            lastProgressLine = now;
            const p = e.message.progress;
            process.stderr.write(`labelling: ${labelled} regions in ${regions.size} started trajectories after ${((now - t0) / 1000).toFixed(0)} s (${p.agent} seed ${p.seed}: ${p.usedRegions}/${p.maxBudget})\n`);
          }
        }
      }),
    );
    try {
      await lastValueFrom(events, { defaultValue: null });
    } finally {
      bars?.stop();
    }
    process.stderr.write(`bench done in ${((performance.now() - t0) / 1000).toFixed(1)} s; records in ${outFile}\n`);
  });
}
