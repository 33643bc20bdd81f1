/** `regiongym leaderboard`: tables, plots and a static page from run records. */
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { readRunRecords } from '../run-record.ts';
import { writeLeaderboard } from '../leaderboard/write.ts';
import { ConfigError } from '../../env/core/errors.ts';

export function registerLeaderboard(program: Command): void {
  program
    .command('leaderboard')
    .description('write leaderboard.md, SVG plots and index.html from run records (JSON lines)')
    .argument('<files...>', 'run record files (one protocol)')
    .requiredOption('--out <dir>', 'output directory')
    .option('--upper-bound <result.json>', "full-supervision result written by 'train-supervised --out'")
    .action((files: string[], o: { out: string; upperBound?: string }) => {
      const records = files.flatMap((f) => readRunRecords(f));
      if (records.length === 0) throw new ConfigError(`no run records in ${files.join(', ')}`);
      let upper: number | null = null;
      if (o.upperBound) {
        const r = JSON.parse(readFileSync(o.upperBound, 'utf8')) as { test?: { mIoU?: number } };
        if (typeof r.test?.mIoU !== 'number') throw new ConfigError(`${o.upperBound}: expected test.mIoU from 'regiongym train-supervised --out'`);
        upper = r.test.mIoU;
      }
      const lb = writeLeaderboard(records, o.out, upper);
      console.log(`leaderboard of ${records.length} runs (${lb.agents.length} agents, ${lb.seeds.length} seeds, ${lb.budgets.length} budgets) written to ${o.out}/leaderboard.md, index.html, *.svg`);
    });
}
