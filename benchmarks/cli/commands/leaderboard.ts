/** `regiongym leaderboard`: tables, research questions, figures and a static page from run records. */
import type { Command } from 'commander';
import { readRunRecords } from '../../sweep/run-record.ts';
import { readUpperBounds, writeLeaderboard } from '../../leaderboard/write.ts';
import { keepAgentVersions } from '../../leaderboard/aggregate.ts';
import { leftOutText, wholeSeeds } from '../../leaderboard/whole-seeds.ts';
import { runsFiles } from '../../sweep/merge.ts';
import { protocolData, resolveProtocol } from '../../../env/make-env.ts';
import { shippedProtocol } from '../../../env/protocol/load.ts';
import { protocolHash } from '../../../env/protocol/hash.ts';
import { ConfigError } from '../../../core/errors.ts';
import { getSplit } from '../../../env/data/dataset.ts';
import { makeGrid } from '../../../env/regions.ts';

interface Opts {
  out: string;
  upperBound?: string[];
  policy?: string[];
  protocol?: string;
  root?: string;
  overlays: boolean;
  keepAgent?: string[];
  wholeSeeds?: boolean;
}

export function registerLeaderboard(program: Command): void {
  program
    .command('leaderboard')
    .description('write leaderboard.md, index.html and the figures from run records (files, or directories of shard files)')
    .argument('<paths...>', 'runs files or directories of them (one protocol)')
    .requiredOption('--out <dir>', 'output directory')
    .option('--upper-bound <result.json...>', "full-supervision results written by 'train-supervised --out' (several seeds: their mean ± std)")
    .option('--policy <dir...>', "train-policy output directories: the DQN's learning curve and training cost")
    .option('--protocol <name|file>', "the records' protocol, for the overlay figures (default: the shipped one of the records' name)")
    .option('--root <dir>', 'data folder of a real data set (the overlay figures read three pool images)')
    .option('--no-overlays', 'skip the overlay figures (they need the data set)')
    .option('--keep-agent <id...>', 'of an agent whose code changed between runs, the version (agent id) to show')
    .option('--whole-seeds', 'only the seeds every agent has run at every budget (a sweep still adding seeds); the page counts the runs left out')
    .action(async (paths: string[], o: Opts) => {
      const files = runsFiles(paths);
      const all = keepAgentVersions(files.flatMap((f) => readRunRecords(f)), o.keepAgent ?? []);
      const { kept: records, leftOut } = o.wholeSeeds ? wholeSeeds(all) : { kept: all, leftOut: undefined };
      const upper = o.upperBound ? readUpperBounds(o.upperBound) : null;
      let pool = null;
      if (o.overlays && records.length > 0) {
        try {
          // --protocol is the user's (a name or a file); a record's protocol field is data: shipped names only
          const named = records[0]!.protocol;
          const p = o.protocol ? resolveProtocol(o.protocol) : shippedProtocol(named);
          if (!p) throw new ConfigError(`the records' protocol '${named}' is not a shipped protocol: pass --protocol FILE`);
          if (protocolHash(p) !== records[0]!.protocolHash) throw new ConfigError(`protocol '${p.name}' here has content ${protocolHash(p)}, the records ${records[0]!.protocolHash}: pass --protocol with the file they were run with`);
          const data = protocolData(p, o.root);
          pool = { images: getSplit(data, p.splits.evalPool).slice(0, 3), grid: makeGrid(data.height, data.width, p.regions.height, p.regions.width) };
        } catch (e) {
          process.stderr.write(`leaderboard: overlay figures skipped (${(e as Error).message.split('\n')[0]})\n`);
        }
      }
      const lb = await writeLeaderboard(records, o.out, { upperBound: upper, policies: o.policy ?? [], pool, leftOut });
      console.log(`leaderboard of ${lb.runs} runs (${lb.agents.length} agents, ${lb.seeds.length} seeds, ${lb.budgets.length} budgets) written to ${o.out}/leaderboard.md and index.html${leftOut?.runs ? `; ${leftOutText(leftOut)} left out (not whole yet)` : ''}`);
    });
}
