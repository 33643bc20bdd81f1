/** The `regiongym` command line. Each subcommand lives in benchmarks/commands/. */
import { Command } from 'commander';
import { RegionGymError } from '../env/core/errors.ts';
import { registerTrainSupervised } from './commands/train-supervised.ts';
import { registerPipeline } from './commands/pipeline.ts';
import { registerCheckEnv } from './commands/check-env.ts';
import { registerTrainPolicy } from './commands/train-policy.ts';
import { registerBench } from './commands/bench.ts';
import '../agents/catalog.ts';
import { registerLeaderboard } from './commands/leaderboard.ts';
import { registerMerge } from './commands/merge.ts';
import { registerPrepare } from './commands/prepare.ts';

const program = new Command('regiongym').description('active learning for semantic segmentation as a gym-style benchmark').showHelpAfterError();
registerTrainSupervised(program);
registerPipeline(program);
registerCheckEnv(program);
registerTrainPolicy(program);
registerBench(program);
registerLeaderboard(program);
registerMerge(program);
registerPrepare(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof RegionGymError) {
    process.stderr.write(`regiongym: ${e.name}: ${e.message}\n`);
    process.exit(2);
  }
  throw e;
}
