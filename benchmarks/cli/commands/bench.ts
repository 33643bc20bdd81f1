/** `regiongym bench`: the agent × seed × budget sweep with a progress bar. */
import type { Command } from 'commander';
import { featureProgress } from '../progress.ts';
import { MultiBar, Presets } from 'cli-progress';
import { lastValueFrom, tap } from 'rxjs';
import { parseAgentList } from '../../../agents/registry.ts';
import { labelTransfers } from '../../sweep/transfer-labels.ts';
import { resolveProtocol } from '../../../env/make-env.ts';
import { claimsOf, doneByTrajectory, planBench, runBench, type BenchOptions, type BenchPlan, type ClaimHooks } from '../../sweep/sweep.ts';
import { runsFiles } from '../../sweep/merge.ts';
import { intListOption, intOption } from '../options.ts';
import { addComputeOptions, checkCompute, computeOptions, type ComputeOptions } from '../compute-flags.ts';
import { ConfigError } from '../../../core/errors.ts';
import { counted } from '../../../core/text.ts';
import { defaultCacheDir } from '../../../env/cache-dir.ts';
import { prepareProtocol } from '../../sweep/prepare.ts';
import { checkBudgets, withoutFeatureCache } from '../../sweep/checks.ts';
import { resolveShard, runList, shardFile } from '../../sweep/run-list.ts';
import { protocolHash } from '../../../env/protocol/hash.ts';
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
    .option('--workers <n>', 'parallel worker threads (one wasm instance each)', intOption('--workers', 1, 256), 2)
    .option('--out <file.jsonl|dir>', 'run records (JSON lines); with sharding a directory that gets one file per shard')
    .option('--list', 'print the run list (trajectory index, id, agent, seed, budgets; with --out also the budgets already run there) and exit', false)
    .option('--json', 'with --list: one JSON object per line', false)
    .option('--shard <i/n>', 'run shard i of n (trajectory j when j mod n = i); default from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX')
    .option('--shards <n>', 'shard count when the index comes from JOB_COMPLETION_INDEX (Kubernetes Indexed Jobs)', intOption('--shards', 1))
    .option('--root <dir>', 'data folder of a real data set')
    .option('--cache-dir <dir>', 'learner cache: encoder features, pre-trained weights (shared by runs files)', defaultCacheDir())
    .option('--no-feature-cache', 'keep encoder features in memory only')
    .option('--progress-every <s>', 'without a terminal: a labelling-progress line at most every s seconds between finished runs (0: at every step)', intOption('--progress-every', 0, 86400), 60);
  addComputeOptions(cmd, 'wasm').action(async (o: Opts) => {
    await checkCompute(o);
    const protocol = resolveProtocol(o.protocol);
    const agents = labelTransfers(parseAgentList(o.agents), protocol.name);
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
      const data = await prepareProtocol(o.featureCache ? protocol : withoutFeatureCache(protocol), { dataRoot: o.root, cacheDir: o.cacheDir, threads: o.threads, onProgress: featureProgress() });
      checkBudgets(protocol, data, opts.budgets);
    }
    process.stderr.write(`bench ${protocol.name}${shard ? ` shard ${shard.index}/${shard.count}` : ''}: ${counted(plan.totalRuns, 'run')} (${plan.skippedRuns} already in ${outFile}), ${counted(plan.jobs.length, 'trajectory', 'trajectories')} on ${counted(o.workers, 'worker')}, inference ${o.inference}, training ${o.training}\n`);
    const t0 = performance.now();
    await runRounds(plan, () => planBench(opts), (p) => runWithProgress(opts, p, o.progressEvery, t0), claimsOf(outFile));
    process.stderr.write(`bench done in ${((performance.now() - t0) / 1000).toFixed(1)} s; records in ${outFile}\n`);
  });
}

/**
 * One round of the sweep: the plan's trajectories on the worker pool, with a progress bar on a
 * terminal and one line per finished run (and a labelling heartbeat) without one. Says which
 * trajectories it left to other live benches and which lapsed claims it took over.
 */
async function runWithProgress(opts: BenchOptions, plan: BenchPlan, progressEvery: number, t0: number): Promise<void> {
  const budgets = opts.budgets;
  const tty = process.stderr.isTTY === true;
  const bars = tty ? new MultiBar({ format: '{label} |{bar}| {value}/{total} {unit} eta {eta_formatted}', stream: process.stderr, hideCursor: true }, Presets.shades_classic) : null;
  const runsBar = bars?.create(plan.totalRuns, plan.skippedRuns, { label: 'runs   ', unit: 'runs' });
  const regionsBar = bars?.create(plan.jobs.length * budgets[budgets.length - 1]!, 0, { label: 'labels ', unit: 'regions' });
  const regions = new Map<string, number>();
  const replaying = new Set<string>();
  let done = plan.skippedRuns;
  let lastProgressLine = t0;
  const say = (line: string) => (bars ? bars.log(`${line}\n`) : process.stderr.write(`${line}\n`));
  const hooks: ClaimHooks = {
    onLeft: (job, holder) => say(`${job.agent.label} seed ${job.seed}: left to the bench that holds its claim (${holder})`),
    onTakenOver: (job, from) => say(`${job.agent.label} seed ${job.seed}: claim taken over from ${from}`),
  };
  const events = runBench(opts, plan, hooks).pipe(
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
          say(`${e.job.agent.label} seed ${e.job.seed}: replaying its logged steps from ${e.job.actionLog}`);
        }
        regions.set(key, e.message.progress.usedRegions);
        const labelled = [...regions.values()].reduce((a, b) => a + b, 0);
        regionsBar?.update(labelled);
        // a trajectory's runs can be an hour apart (the oracle probes ~50 candidates a step): logs get a heartbeat
        const now = performance.now();
        if (!tty && now - lastProgressLine >= 1000 * progressEvery) {
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
}

const ROUND_POLL_MS = 2000;
/** Rounds in a row that may end with runs missing and nobody holding them before the sweep gives up. */
const ROUNDS_WITHOUT_PROGRESS = 3;

/**
 * Run rounds until every planned run is in the runs file. Trajectories another live bench holds are
 * waited for (their claims polled; a lapsed lease is taken over); whatever is still missing once
 * nobody holds it is run here. A sweep that cannot finish its plan ends with an error listing what is
 * missing, never with "done".
 */
async function runRounds(first: BenchPlan, replan: () => BenchPlan, round: (p: BenchPlan) => Promise<void>, claims: ReturnType<typeof claimsOf>): Promise<void> {
  let plan = first;
  let idle = 0;
  let waitingFor = '';
  while (plan.jobs.length > 0) {
    const before = plan.skippedRuns;
    await round(plan);
    plan = replan();
    for (;;) {
      const held = plan.jobs.map((j) => ({ job: j, holder: claims.holder(j.id) })).filter((h) => h.holder !== null);
      if (held.length === 0 || plan.jobs.length === 0) break;
      const now = held.map((h) => `${h.job.agent.label} seed ${h.job.seed} (${h.holder})`).join(', ');
      if (now !== waitingFor) process.stderr.write(`waiting for ${held.length} trajectories other benches are running: ${now}\n`);
      waitingFor = now;
      await new Promise((resolve) => setTimeout(resolve, ROUND_POLL_MS));
      plan = replan();
    }
    idle = plan.skippedRuns > before ? 0 : idle + 1;
    if (plan.jobs.length > 0 && idle >= ROUNDS_WITHOUT_PROGRESS) {
      const missing = plan.jobs.map((j) => `${j.agent.label} seed ${j.seed} (budgets ${j.budgets.filter((b) => !j.skip.includes(b)).join(', ')})`);
      throw new ConfigError(`${plan.totalRuns - plan.skippedRuns} planned runs are still missing after ${ROUNDS_WITHOUT_PROGRESS} rounds: ${missing.join('; ')}`);
    }
  }
}
