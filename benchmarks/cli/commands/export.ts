/** `regiongym export`: run records as CSV (one row per run, per-class IoU as columns), written atomically. */
import type { Command } from 'commander';
import { writeFileAtomic } from '../../../core/fs.ts';
import { recordsToCsv } from '../../leaderboard/export-csv.ts';
import { runsFiles } from '../../sweep/merge.ts';
import { readRunRecords } from '../../sweep/run-record.ts';

export function registerExport(program: Command): void {
  program
    .command('export')
    .description('write run records as CSV for pandas, R or a spreadsheet (one row per run, per-class IoU as columns)')
    .argument('<paths...>', 'runs files or directories of them')
    .requiredOption('--csv <file.csv>', 'output CSV file')
    .action((paths: string[], o: { csv: string }) => {
      const records = runsFiles(paths).flatMap((f) => readRunRecords(f));
      writeFileAtomic(o.csv, recordsToCsv(records));
      console.log(`${records.length} runs written to ${o.csv}`);
    });
}
