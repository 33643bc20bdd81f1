/** The `regiongym` command line. Each subcommand lives in benchmarks/cli/commands/. */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { registerAgents } from './commands/agents.ts';
import { RegionGymError } from '../../core/errors.ts';
import { registerTrainSupervised } from './commands/train-supervised.ts';
import { registerPipeline } from './commands/pipeline.ts';
import { registerCheckEnv } from './commands/check-env.ts';
import { registerTrainPolicy } from './commands/train-policy.ts';
import { registerBench } from './commands/bench.ts';
import '../../agents/catalog.ts';
import { registerLeaderboard } from './commands/leaderboard.ts';
import { registerMerge } from './commands/merge.ts';
import { registerPrepare } from './commands/prepare.ts';
import { registerCompare } from './commands/compare.ts';
import { registerExport } from './commands/export.ts';
import { registerVerify } from './commands/verify.ts';

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
const program = new Command('regiongym').description('active learning for semantic segmentation as a gym-style benchmark').version(version, '-V, --version', 'the regiongym version');
registerTrainSupervised(program);
registerPipeline(program);
registerCheckEnv(program);
registerTrainPolicy(program);
registerBench(program);
registerLeaderboard(program);
registerCompare(program);
registerMerge(program);
registerPrepare(program);
registerExport(program);
registerVerify(program);

registerAgents(program);

// usage errors (unknown flag, bad value) exit 2 with commander's one line, like every user error
program.exitOverride();
for (const c of program.commands) c.exitOverride();

/** File-system failures a user can fix (a path, a permission, a full disk): one line, not a stack. */
const USER_FS_ERRORS = new Set(['ENOENT', 'EACCES', 'EPERM', 'EISDIR', 'ENOTDIR', 'ENOSPC', 'EROFS', 'EEXIST', 'EMFILE', 'EDQUOT']);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) process.exit(e.exitCode === 0 ? 0 : 2); // commander printed the message
  if (e instanceof RegionGymError) {
    process.stderr.write(`regiongym: ${e.name}: ${e.message}\n`);
    process.exit(2);
  }
  const code = (e as NodeJS.ErrnoException).code;
  if (code && USER_FS_ERRORS.has(code)) {
    process.stderr.write(`regiongym: ${code === 'ENOSPC' ? 'the disk is full' : 'file error'}: ${(e as Error).message}\n`);
    process.exit(2);
  }
  throw e;
}
