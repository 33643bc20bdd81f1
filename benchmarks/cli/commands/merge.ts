/** `regiongym merge`: shard runs files (or directories of them) into one sorted runs file, checked against the run list. */
import type { Command } from 'commander';
import { parseAgentList } from '../../../agents/registry.ts';
import { labelTransfers } from '../../sweep/transfer-labels.ts';
import { resolveProtocol } from '../../../env/make-env.ts';
import { protocolHash } from '../../../env/protocol/hash.ts';
import { writeFileAtomic } from '../../../core/fs.ts';
import { ConfigError } from '../../../core/errors.ts';
import { intListOption } from '../options.ts';
import { mergeRecords, runsFiles } from '../../sweep/merge.ts';
import { runList } from '../../sweep/run-list.ts';

interface Opts {
  out: string;
  protocol: string;
  agents: string;
  seeds?: number[];
  budgets?: number[];
  allowMissing: boolean;
}

export function registerMerge(program: Command): void {
  program
    .command('merge')
    .description('merge shard runs files into one sorted runs file; reports missing and duplicate runs against the run list')
    .argument('<paths...>', 'runs files or directories of them')
    .requiredOption('--out <file.jsonl>', 'merged runs file (written atomically)')
    .option('--protocol <name|file>', 'the sweep\'s protocol (as given to bench)', 'synthetic-quick')
    .option('--agents <list>', 'the sweep\'s agents (as given to bench)', 'random,entropy,bald')
    .option('--seeds <list>', "the sweep's seeds (default: the protocol's)", intListOption('--seeds'))
    .option('--budgets <list>', "the sweep's budgets (default: the protocol's)", intListOption('--budgets', 1))
    .option('--allow-missing', 'write the merged file even when planned runs are missing (exit 0 then)', false)
    .action((paths: string[], o: Opts) => {
      const protocol = resolveProtocol(o.protocol);
      const plan = runList(protocol, labelTransfers(parseAgentList(o.agents), protocol.name), o.seeds ?? protocol.seeds, o.budgets ?? protocol.budgets);
      const files = runsFiles(paths);
      const r = mergeRecords(files, plan, protocolHash(protocol));
      const missingRuns = [...r.missing.values()].reduce((n, m) => n + m.budgets.length, 0);
      process.stderr.write(`merge: ${files.length} files, ${r.records.length} runs, ${r.duplicates} duplicate lines dropped, ${missingRuns} planned runs missing\n`);
      for (const [id, m] of r.missing) process.stderr.write(`  missing: trajectory ${id} (index ${m.trajectory.index}: ${m.trajectory.agent.label} seed ${m.trajectory.seed}) budgets ${m.budgets.join(',')}\n`);
      if (missingRuns > 0 && !o.allowMissing) throw new ConfigError(`${missingRuns} planned runs are missing (listed above): re-run their shards, or pass --allow-missing`);
      writeFileAtomic(o.out, r.records.map((x) => JSON.stringify(x)).join('\n') + (r.records.length ? '\n' : ''));
      console.log(`merged ${r.records.length} runs into ${o.out}`);
    });
}
