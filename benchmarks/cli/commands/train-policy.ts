/** `regiongym train-policy`: train the RALIS DQN on a protocol's policy-training split. */
import type { Command } from 'commander';
import { Subject } from 'rxjs';
import { resolveProtocol } from '../../../env/make-env.ts';
import { trainPolicy, type PolicyProgress } from '../../../agents/dqn/train-policy.ts';
import { choiceOption, floatOption, intOption, SEED_MAX } from '../options.ts';
import { addComputeOptions, initCompute, type ComputeOptions } from '../compute-flags.ts';
import { defaultCacheDir } from '../../../env/cache-dir.ts';
import { prepareProtocol } from '../../sweep/prepare.ts';

interface Opts extends ComputeOptions {
  protocol: string;
  episodes: number;
  seed: number;
  out: string;
  resume: boolean;
  replay: 'uniform' | 'prioritized';
  lrDecay: number;
  validateEvery: number;
  validateEpisodes: number;
  firstRewardAgainstZero: boolean;
  root?: string;
  cacheDir: string;
}

const fmtMs = (ms: number | null) => (ms === null ? '?' : ms > 60000 ? `${(ms / 60000).toFixed(1)} min` : `${(ms / 1000).toFixed(0)} s`);

export function registerTrainPolicy(program: Command): void {
  const cmd = program
    .command('train-policy')
    .description('train the RALIS batch DQN on the policy-training pool; checkpoints after every episode')
    .option('--protocol <name|file>', 'registered id, shipped protocol name or protocol file', 'synthetic-quick')
    .option('--episodes <n>', 'training episodes', intOption('--episodes', 1), 10)
    .option('--seed <n>', 'seed of every random draw', intOption('--seed', 0, SEED_MAX), 0)
    .requiredOption('--out <dir>', 'where the policy (policy/model.json + weights.bin) and training.json go')
    .option('--resume', 'continue from the checkpoint in --out', false)
    .option('--replay <kind>', 'uniform (paper code) | prioritized (paper text)', choiceOption('--replay', ['uniform', 'prioritized'] as const), 'uniform')
    .option('--lr-decay <f>', 'DQN lr factor per AL step (paper 0.97; default 1 = constant)', floatOption('--lr-decay', 0, 1), 1)
    .option('--validate-every <n>', 'validate the greedy policy every n episodes (0: never); the best goes to <out>/best', intOption('--validate-every', 0), 5)
    .option('--validate-episodes <n>', 'episodes per validation, on fixed seeds; the best checkpoint is picked by their mean (paper: 1)', intOption('--validate-episodes', 1), 1)
    .option('--first-reward-against-zero', "the paper's code: the first reward of an episode is 100·mIoU (against 0)", false)
    .option('--root <dir>', 'data folder of a real data set')
    .option('--cache-dir <dir>', 'learner cache (encoder features, pre-trained weights)', defaultCacheDir());
  addComputeOptions(cmd).action(async (o: Opts) => {
    const { backend, inference, training } = await initCompute(o);
    const named = resolveProtocol(o.protocol);
    const protocol = o.firstRewardAgainstZero ? { ...named, reward: { firstAgainstZero: true } } : named;
    process.stderr.write(`train-policy: ${protocol.name}, ${o.episodes} episodes of ${protocol.policyBudget} regions (K=${protocol.poolsPerStep}, N=${protocol.poolSize.policy}), backend ${backend}, inference ${inference}, training ${training}\n`);
    const events = new Subject<PolicyProgress>();
    events.subscribe((e) => {
      process.stderr.write(
        `episode ${e.episode}/${e.episodes} step ${e.step} regions ${e.usedRegions}/${e.budgetRegions} reward ${e.reward.toFixed(3)} ε ${e.epsilon.toFixed(3)} loss ${e.loss === null ? '-' : e.loss.toFixed(4)} elapsed ${fmtMs(e.elapsedMs)} left ${fmtMs(e.etaMs)}\n`,
      );
    });
    await prepareProtocol(protocol, { dataRoot: o.root, cacheDir: o.cacheDir, threads: o.threads });
    const record = await trainPolicy(protocol, { episodes: o.episodes, seed: o.seed, outDir: o.out, resume: o.resume, validateEvery: o.validateEvery, validateEpisodes: o.validateEpisodes, dqn: { replay: o.replay, lrDecayPerStep: o.lrDecay }, env: { dataRoot: o.root }, cacheDir: o.cacheDir }, events);
    for (const h of record.history) console.log(`episode ${h.episode}: return ${h.return.toFixed(2)}, final reward-set mIoU ${(100 * h.finalRewardMIoU).toFixed(2)}, ${h.steps} steps, ${(h.ms / 1000).toFixed(1)} s`);
    for (const v of record.validation) console.log(`validation after ${v.episode} episodes: greedy reward-set mIoU ${(100 * v.rewardMIoU).toFixed(2)}${v.perEpisode ? ` (mean of ${v.perEpisode.map((x) => (100 * x).toFixed(2)).join(', ')})` : ''}`);
    console.log(`last policy in ${o.out}/policy${record.best ? `; best validated (episode ${record.best.episode}, ${(100 * record.best.rewardMIoU).toFixed(2)} %) in ${o.out}/best` : ''}`);
  });
}
