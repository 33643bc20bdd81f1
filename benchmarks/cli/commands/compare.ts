/** `regiongym compare`: one table of the same agents on several protocols (learners), from their runs files. */
import type { Command } from 'commander';
import { writeFileAtomic } from '../../../core/fs.ts';
import { readRunRecords, type RunRecord } from '../../sweep/run-record.ts';
import { runsFiles } from '../../sweep/merge.ts';
import { compareProtocols, comparisonMarkdown } from '../../leaderboard/compare.ts';
import { PROFILE_THRESHOLDS, profileSpec } from '../../leaderboard/across-protocols.ts';
import { renderSvg } from '../../leaderboard/plots.ts';
import { basename, dirname, join } from 'node:path';
import { RANDOM_AGENT } from '../../../agents/registry.ts';
import { boardOf, readPolicies } from '../../leaderboard/write.ts';
import { intListOption } from '../options.ts';
import { wholeSeeds, type LeftOut } from '../../leaderboard/whole-seeds.ts';
import { ConfigError } from '../../../core/errors.ts';

export function registerCompare(program: Command): void {
  program
    .command('compare')
    .description('the same agents on several protocols: rank, AUBC and AUBC − random (paired by seed) per protocol, and how far the rankings agree')
    .argument('<paths...>', 'runs files or directories of them, of 2 or more protocols (grouped by protocol)')
    .requiredOption('--out <file.md>', 'markdown file to write')
    .option('--policy <dir...>', 'train-policy output directories: their DQN runs are named by training run and episode')
    .option('--budgets <list>', 'comma-separated budgets: compare at these only (each protocol must have runs there), e.g. 480', intListOption('--budgets', 1))
    .option('--whole-seeds <protocol...>', "protocols read on the seeds every one of their agents has run at every budget (as their leaderboard --whole-seeds): a sweep still adding seeds")
    .action(async (paths: string[], o: { out: string; policy?: string[]; budgets?: number[]; wholeSeeds?: string[] }) => {
      const trainings = readPolicies(o.policy ?? []);
      // boards in the order their protocols first appear among the paths
      const groups = new Map<string, RunRecord[]>();
      for (const f of runsFiles(paths))
        for (const r of readRunRecords(f)) {
          const k = `${r.protocol}@${r.protocolHash}`;
          (groups.get(k) ?? groups.set(k, []).get(k)!).push(r);
        }
      const whole = new Set(o.wholeSeeds ?? []);
      const named = new Set([...groups.values()].map((g) => g[0]!.protocol));
      const unknown = [...whole].filter((p) => !named.has(p));
      if (unknown.length) throw new ConfigError(`--whole-seeds ${unknown.join(', ')}: no runs of that protocol here (protocols: ${[...named].join(', ')})`);
      // each protocol's records as its leaderboard reads them: a replicated DQN one row, a rule benched for some of its runs not yet
      const leftOut = new Map<string, LeftOut>();
      const boards = [...groups.values()].map((g) => {
        if (!whole.has(g[0]!.protocol)) return boardOf(g, trainings).board;
        const w = wholeSeeds(g);
        leftOut.set(g[0]!.protocol, w.leftOut);
        return boardOf(w.kept, trainings).board;
      });
      const cmp = compareProtocols(boards, undefined, o.budgets);
      // the performance profile beside the page: <out>-profile.svg
      const plotted = cmp.rows.filter((r) => r.agent !== RANDOM_AGENT && r.gain);
      const figure = plotted.length > 0 ? `${basename(o.out).replace(/\.md$/i, '')}-profile.svg` : undefined;
      if (figure) writeFileAtomic(join(dirname(o.out), figure), await renderSvg(profileSpec(plotted, PROFILE_THRESHOLDS), 'profile'));
      writeFileAtomic(o.out, comparisonMarkdown(cmp, figure, leftOut));
      for (const s of cmp.sentences) console.log(s);
      console.log(`comparison of ${cmp.boards.map((b) => b.protocol).join(', ')} (${cmp.rows.length} agents) written to ${o.out}`);
    });
}
