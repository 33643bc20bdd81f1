/**
 * `regiongym pipeline` (what `npm start` runs): the whole benchmark on a protocol (default
 * synthetic-frozen-quick): full-supervision upper bound, a short DQN policy training, the bench of
 * random / entropy / impurity / dqn, and the leaderboard, into a directory it names at the end.
 */
import type { Command } from 'commander';
import { join, resolve } from 'node:path';
import { lastValueFrom, tap, Subject } from 'rxjs';
import { writeFileAtomic } from '../../../core/fs.ts';
import { resolveProtocol, segTrainConfig } from '../../../env/make-env.ts';
import { defaultCacheDir } from '../../../env/cache-dir.ts';
import { prepareProtocol } from '../../sweep/prepare.ts';
import { getSplit } from '../../../env/data/dataset.ts';
import { makeGrid } from '../../../env/regions.ts';
import { trainSupervised } from '../../../env/full-supervision.ts';
import { trainPolicy, type PolicyProgress } from '../../../agents/dqn/train-policy.ts';
import { planBench, runBench } from '../../sweep/sweep.ts';
import { readRunRecords } from '../../sweep/run-record.ts';
import { writeLeaderboard } from '../../leaderboard/write.ts';
import { parseAgentList } from '../../../agents/registry.ts';
import { intOption, SEED_MAX } from '../options.ts';
import { addComputeOptions, computeOptions, initCompute, type ComputeOptions } from '../compute-flags.ts';

interface Opts extends ComputeOptions {
  protocol: string;
  agents: string;
  out: string;
  seed: number;
  episodes: number;
  supervisedEpochs: number;
  workers: number;
  cacheDir: string;
}

const secs = (t0: number) => `${((performance.now() - t0) / 1000).toFixed(0)} s`;

export function registerPipeline(program: Command): void {
  const cmd = program
    .command('pipeline')
    .description('upper bound, DQN policy training, bench of the agents and the trained DQN, and the leaderboard, end to end')
    .option('--protocol <name|file>', 'protocol (default: the frozen encoder on the built-in synthetic data, where agents separate on few seeds)', 'synthetic-frozen-quick')
    .option('--agents <list>', 'agents to bench besides the trained DQN (comma-separated ids)', 'random,entropy,impurity')
    .option('--out <dir>', 'output directory', 'out/quickstart')
    .option('--seed <n>', 'seed of the upper bound and the policy', intOption('--seed', 0, SEED_MAX), 0)
    .option('--episodes <n>', 'DQN training episodes', intOption('--episodes', 1, 100000), 8)
    .option('--supervised-epochs <n>', 'epochs of the full-supervision run (early stopping, patience 8)', intOption('--supervised-epochs', 1, 100000), 12)
    .option('--workers <n>', 'bench worker threads', intOption('--workers', 1, 256), 2)
    .option('--cache-dir <dir>', 'learner cache (encoder features, pre-trained weights)', defaultCacheDir());
  addComputeOptions(cmd, 'wasm').action(async (o: Opts) => {
    const t0 = performance.now();
    const { backend, inference, training } = await initCompute(o);
    const protocol = resolveProtocol(o.protocol);
    const out = resolve(o.out);
    const say = (s: string) => process.stderr.write(`[${secs(t0)}] ${s}\n`);
    say(`pipeline on '${protocol.name}', backend ${backend}, inference ${inference}, training ${training}, output ${out}. On 2 cores the default protocol takes about 5 minutes on a fresh machine.`);

    say('1/4 full-supervision upper bound');
    const data = await prepareProtocol(protocol, { cacheDir: o.cacheDir, threads: o.threads });
    const sup = await trainSupervised(data, { epochs: o.supervisedEpochs, seed: o.seed, patience: 8, model: protocol.model, train: segTrainConfig(protocol), outDir: join(out, 'upper-bound'), cacheDir: o.cacheDir });
    writeFileAtomic(join(out, 'upper-bound', 'result.json'), JSON.stringify(sup, null, 1));
    say(`    test mIoU ${(100 * sup.test.mIoU).toFixed(2)} % (${sup.epochsRun} epochs)`);

    say(`2/4 DQN policy training: ${o.episodes} episodes on the policy-training pool`);
    const progress = new Subject<PolicyProgress>();
    progress.subscribe((e) => {
      if (e.usedRegions === e.budgetRegions) say(`    episode ${e.episode}/${e.episodes} done, ε ${e.epsilon.toFixed(2)}, loss ${e.loss?.toFixed(4) ?? '-'}, about ${e.etaMs === null ? '?' : (e.etaMs / 1000).toFixed(0)} s left`);
    });
    const record = await trainPolicy(protocol, { episodes: o.episodes, seed: o.seed, outDir: join(out, 'policy'), resume: true, validateEvery: Math.max(1, Math.floor(o.episodes / 4)), cacheDir: o.cacheDir }, progress);
    const policyDir = join(out, 'policy', record.best ? 'best' : 'policy');
    say(`    policy: ${record.best ? `best validated checkpoint (episode ${record.best.episode})` : 'last checkpoint'} in ${policyDir}`);

    const agents = parseAgentList(`${o.agents},dqn=${policyDir}`);
    const runsFile = join(out, 'runs.jsonl');
    const benchOpts = { protocol, agents, seeds: protocol.seeds, budgets: protocol.budgets, workers: o.workers, compute: computeOptions(o), outFile: runsFile, cacheDir: o.cacheDir };
    const plan = planBench(benchOpts);
    say(`3/4 bench: ${plan.totalRuns} runs (${plan.skippedRuns} already done) on ${o.workers} workers`);
    let done = plan.skippedRuns;
    await lastValueFrom(
      runBench(benchOpts, plan).pipe(
        tap((e) => {
          if (e.message.type === 'record') say(`    run ${++done}/${plan.totalRuns}: ${e.message.record.agent} seed ${e.message.record.seed} budget ${e.message.record.budgetRegions} → test mIoU ${(100 * e.message.record.testMIoU).toFixed(2)} %`);
        }),
      ),
      { defaultValue: null },
    );

    say('4/4 leaderboard');
    const pool = { images: getSplit(data, protocol.splits.evalPool).slice(0, 3), grid: makeGrid(data.height, data.width, protocol.regions.height, protocol.regions.width) };
    const lb = await writeLeaderboard(readRunRecords(runsFile), join(out, 'leaderboard'), { upperBound: sup.test.mIoU, policies: [join(out, 'policy')], pool });
    const last = lb.budgets.length - 1;
    for (const a of lb.agents) say(`    ${a.agent.padEnd(10)} mIoU at ${lb.budgets[last]} regions: ${(100 * (a.cells[last]?.mean ?? NaN)).toFixed(2)} ± ${(100 * (a.cells[last]?.std ?? NaN)).toFixed(2)}`);
    console.log(`done in ${secs(t0)}. Leaderboard: ${join(out, 'leaderboard', 'leaderboard.md')} and ${join(out, 'leaderboard', 'index.html')}`);
  });
}
