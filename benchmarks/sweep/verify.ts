/**
 * Check a published row: re-run a seeded sample of a runs file's trajectories (from their protocol,
 * agent and seed; replaying each one's action log where the runs file has it) into a scratch runs file,
 * and compare every re-made record with the published one, field by field, to the bit. What differs is
 * reported with the provenance that can explain it (engines, backend, regiongym version), so a row
 * someone publishes can be checked by anyone before it joins a board.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../core/errors.ts';
import { counted } from '../../core/text.ts';
import { Rng } from '../../core/rng.ts';
import type { Protocol } from '../../env/protocol/load.ts';
import { protocolHash } from '../../env/protocol/hash.ts';
import type { AgentSpec } from '../../agents/registry.ts';
import { runBenchToEnd, type BenchOptions } from './sweep.ts';
import type { ComputeOptions } from '../cli/compute-flags.ts';
import { readRunRecords, type RunRecord } from './run-record.ts';
import { actionLogFile } from './runner/action-log.ts';

/** The fields a re-run must reproduce to the bit (timings, dates and provenance are allowed to differ). */
const COMPARED = ['testMIoU', 'testPerClassIoU', 'testPixelAccuracy', 'rewardMIoUAfterLabeling', 'rewardMIoUFinal', 'finalTrainingEpochs', 'usedRegions', 'labelingSteps', 'labeledClassHistogram', 'overlayRegions'] as const;

export interface VerifiedRun {
  agent: string;
  seed: number;
  budgetRegions: number;
  /** Fields that differ, with the published and the re-made value. */
  differences: { field: string; published: unknown; remade: unknown }[];
  /** Provenance that differs between the two (what may explain a difference). */
  provenance: string[];
}

export interface VerifyOptions {
  protocol: Protocol;
  /** The agent spec for each agent id of the records to check. */
  specFor: (agentId: string) => AgentSpec;
  sample: number;
  seed: number;
  compute: ComputeOptions;
  workers: number;
  dataRoot?: string;
  cacheDir: string | null;
}

/** Pick `n` trajectories (agent id, seed) of the records, seeded; each is checked at every budget it has. */
export function sampleTrajectories(records: readonly RunRecord[], n: number, seed: number): { agentId: string; seed: number }[] {
  const all = [...new Map(records.map((r) => [`${r.agentId}\u0000${r.seed}`, { agentId: r.agentId, seed: r.seed }])).values()].sort((a, b) => a.agentId.localeCompare(b.agentId) || a.seed - b.seed);
  return [...new Rng(seed).permutation(all.length).slice(0, Math.min(n, all.length))].map((i) => all[i]!);
}

export async function verifyRuns(runsFile: string, o: VerifyOptions, onProgress: (line: string) => void = () => {}): Promise<VerifiedRun[]> {
  const records = readRunRecords(runsFile).filter((r) => r.protocol === o.protocol.name);
  if (records.length === 0) throw new ConfigError(`${runsFile} holds no runs of protocol '${o.protocol.name}'`);
  const hash = protocolHash(o.protocol);
  const stale = records.find((r) => r.protocolHash !== hash);
  if (stale) throw new ConfigError(`${runsFile} holds runs of '${o.protocol.name}' with content ${stale.protocolHash}, the protocol here is ${hash}: pass --protocol with the file they were run with`);
  const scratch = mkdtempSync(join(tmpdir(), 'regiongym-verify-'));
  const out: VerifiedRun[] = [];
  for (const t of sampleTrajectories(records, o.sample, o.seed)) {
    const published = records.filter((r) => r.agentId === t.agentId && r.seed === t.seed).sort((a, b) => a.budgetRegions - b.budgetRegions);
    const spec = o.specFor(t.agentId);
    const remadeFile = join(scratch, `${out.length}.jsonl`);
    // the published trajectory's action log, where there is one: its steps are replayed (rewards checked to the bit)
    const log = actionLogFile(runsFile, published[0]!.trajectory);
    if (existsSync(log)) {
      mkdirSync(`${remadeFile}.actions`, { recursive: true });
      copyFileSync(log, actionLogFile(remadeFile, published[0]!.trajectory));
    }
    onProgress(`${published[0]!.agent} seed ${t.seed}: re-running ${counted(published.length, 'budget')}${existsSync(log) ? ' (replaying its action log)' : ''}`);
    const bench: BenchOptions = { protocol: o.protocol, agents: [spec], seeds: [t.seed], budgets: published.map((r) => r.budgetRegions), workers: o.workers, compute: o.compute, outFile: remadeFile, dataRoot: o.dataRoot, cacheDir: o.cacheDir };
    const remade = await runBenchToEnd(bench);
    for (const p of published) {
      const r = remade.find((x) => x.budgetRegions === p.budgetRegions);
      if (!r) throw new ConfigError(`${p.agent} seed ${p.seed} budget ${p.budgetRegions} was not re-made`);
      const differences = COMPARED.filter((f) => JSON.stringify(p[f]) !== JSON.stringify(r[f])).map((f) => ({ field: f, published: p[f], remade: r[f] }));
      const provenance = [
        ...(['backend', 'inference', 'training'] as const).filter((f) => p[f] !== r[f]).map((f) => `${f} ${p[f]} → ${r[f]}`),
        ...(['regiongym', 'tfjs', 'node'] as const).filter((f) => p.versions[f] !== r.versions[f]).map((f) => `${f} ${p.versions[f]} → ${r.versions[f]}`),
        ...(p.trajectory !== r.trajectory ? [`trajectory id ${p.trajectory} → ${r.trajectory} (another code version)`] : []),
      ];
      out.push({ agent: p.agent, seed: p.seed, budgetRegions: p.budgetRegions, differences, provenance });
    }
  }
  return out;
}
