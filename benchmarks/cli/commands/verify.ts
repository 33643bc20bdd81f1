/** `regiongym verify`: re-run a seeded sample of a runs file's records and say which reproduce to the bit. */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { parseAgent, type AgentSpec } from '../../../agents/registry.ts';
import { policyId } from '../../../agents/dqn/policy-id.ts';
import { ConfigError } from '../../../core/errors.ts';
import { resolveProtocol } from '../../../env/make-env.ts';
import { shippedProtocol } from '../../../env/protocol/load.ts';
import { defaultCacheDir } from '../../../env/cache-dir.ts';
import { intOption, SEED_MAX } from '../options.ts';
import { addComputeOptions, checkCompute, computeOptions, type ComputeOptions } from '../compute-flags.ts';
import { readRunRecords } from '../../sweep/run-record.ts';
import { verifyRuns } from '../../sweep/verify.ts';

interface Opts extends ComputeOptions {
  sample: number;
  seed: number;
  protocol?: string;
  agents?: string;
  policy?: string[];
  root?: string;
  cacheDir: string;
  workers: number;
}

export function registerVerify(program: Command): void {
  const cmd = program
    .command('verify')
    .description("re-run a seeded sample of a runs file's records (replaying their action logs) and report which reproduce to the bit and what differs")
    .argument('<runs.jsonl>', 'the runs file to check')
    .option('--sample <n>', 'trajectories to re-run (each at every budget it has)', intOption('--sample', 1, 100000), 3)
    .option('--seed <n>', 'seed of the sample', intOption('--seed', 0, SEED_MAX), 0)
    .option('--protocol <name|file>', "the records' protocol (default: the shipped one of their name)")
    .option('--agents <list>', 'specs of agents whose id is not their spec: your own (./my-agent.ts, exec:…)')
    .option('--policy <dir...>', 'train-policy output directories of the dqn agents in the records')
    .option('--root <dir>', 'data folder of a real data set')
    .option('--cache-dir <dir>', 'learner cache (features, pre-trained weights)', defaultCacheDir())
    .option('--workers <n>', 'worker threads', intOption('--workers', 1, 256), 1);
  addComputeOptions(cmd, 'wasm').action(async (file: string, o: Opts) => {
    await checkCompute(o);
    const records = readRunRecords(file);
    if (records.length === 0) throw new ConfigError(`${file} holds no run records`);
    const protocol = o.protocol ? resolveProtocol(o.protocol) : shippedProtocol(records[0]!.protocol);
    if (!protocol) throw new ConfigError(`the records' protocol '${records[0]!.protocol}' is not a shipped protocol: pass --protocol FILE`);
    // agent ids back to specs: built-ins are their own spec; policies and your own agents are given
    const given = new Map<string, AgentSpec>();
    for (const dir of o.policy ?? [])
      for (const sub of ['best', 'policy'].map((s) => `${dir}/${s}`).filter((d) => existsSync(`${d}/model.json`))) given.set(policyId(sub), { ...parseAgent(`dqn=${sub}`), label: 'dqn' });
    for (const text of (o.agents ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
      const s = parseAgent(text);
      given.set(s.id, { ...s, label: s.label ?? s.name });
    }
    const specFor = (id: string): AgentSpec => {
      const known = given.get(id);
      if (known) return known;
      const s = parseAgent(id);
      if (s.id !== id) throw new ConfigError(`agent ${id} cannot be re-made from its id: pass --policy DIR (a dqn) or --agents with its spec (your own agent, as the code that made the records)`);
      return { ...s, label: s.label ?? s.name };
    };
    const results = await verifyRuns(file, { protocol, specFor, sample: o.sample, seed: o.seed, compute: computeOptions(o), workers: o.workers, dataRoot: o.root, cacheDir: o.cacheDir }, (l) => process.stderr.write(`${l}\n`));
    for (const r of results) {
      const what = `${r.agent} seed ${r.seed} budget ${r.budgetRegions}`;
      if (r.differences.length === 0) console.log(`REPRODUCED  ${what}: every compared field equal to the bit`);
      else console.log(`DIFFERS     ${what}: ${r.differences.map((d) => `${d.field} ${JSON.stringify(d.published)} → ${JSON.stringify(d.remade)}`.slice(0, 200)).join('; ')}${r.provenance.length ? ` (differs in provenance: ${r.provenance.join(', ')})` : ' (same engines, backend and versions: a determinism bug, or records not made by this code)'}`);
    }
    const bad = results.filter((r) => r.differences.length > 0).length;
    console.log(`${results.length - bad} of ${results.length} runs reproduced to the bit`);
    process.exitCode = bad > 0 ? 1 : 0;
  });
}
