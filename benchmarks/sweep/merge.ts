/**
 * Merging shard runs files into one: every record is checked against the run list (its trajectory,
 * seed and budget must be planned), records of another protocol content or gradient engine are
 * refused, identical duplicates (a requeued shard) are kept once and conflicting ones refused, and
 * what the run list has but no file does is reported by trajectory id. The result is sorted.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../core/errors.ts';
import { readRunRecords, runKey, type RunRecord } from './run-record.ts';
import type { PlannedTrajectory } from './run-list.ts';

/** Runs files named directly, or every *.jsonl inside a directory (sorted); a missing path is an error. */
export function runsFiles(paths: readonly string[]): string[] {
  return paths.flatMap((p) => {
    if (!existsSync(p)) throw new ConfigError(`${p}: no such runs file or directory`);
    if (!statSync(p).isDirectory()) return [p];
    const files = readdirSync(p).filter((f) => f.endsWith('.jsonl')).sort().map((f) => join(p, f));
    if (files.length === 0) throw new ConfigError(`${p}: a directory with no *.jsonl runs files`);
    return files;
  });
}

const comparable = (r: RunRecord) => JSON.stringify({ ...r, timings: null, finishedAt: null });

export interface MergeReport {
  readonly records: RunRecord[];
  /** Identical records seen more than once (kept once). */
  readonly duplicates: number;
  /** Planned runs no file has: trajectory id → missing budgets. */
  readonly missing: Map<string, { trajectory: PlannedTrajectory; budgets: number[] }>;
}

/** Records of `files`, de-duplicated; conflicting duplicates and records outside `plan` (when given) are errors. */
export function mergeRecords(files: readonly string[], plan: readonly PlannedTrajectory[] | null, protocolHash: string | null): MergeReport {
  const byKey = new Map<string, RunRecord>();
  let duplicates = 0;
  for (const f of files)
    for (const r of readRunRecords(f)) {
      if (protocolHash && r.protocolHash !== protocolHash) throw new ConfigError(`${f}: a record of protocol '${r.protocol}' with content ${r.protocolHash}, not this protocol's ${protocolHash}`);
      const k = runKey(r);
      const seen = byKey.get(k);
      if (!seen) byKey.set(k, r);
      else if (comparable(seen) === comparable(r)) duplicates++;
      else throw new ConfigError(`${f}: two different records for ${r.agent} seed ${r.seed} budget ${r.budgetRegions} (test mIoU ${seen.testMIoU} vs ${r.testMIoU}): runs of different code or engines`);
    }
  const records = [...byKey.values()];
  const engines = new Set(records.map((r) => r.training));
  if (engines.size > 1) throw new ConfigError(`the runs mix gradient engines (${[...engines].join(', ')}): they are not comparable number for number`);
  const learners = new Set(records.map((r) => `${r.protocol}:${JSON.stringify(r.model)}`));
  if (new Set(records.map((r) => r.protocol)).size < learners.size) throw new ConfigError(`the runs of one protocol name use different learners: ${[...learners].join('; ')}`);
  const missing = new Map<string, { trajectory: PlannedTrajectory; budgets: number[] }>();
  if (plan) {
    const planned = new Map(plan.map((t) => [t.id, t]));
    for (const r of records) {
      const t = planned.get(r.trajectory);
      if (!t || !t.budgets.includes(r.budgetRegions)) throw new ConfigError(`a record not in the run list: ${r.agent} seed ${r.seed} budget ${r.budgetRegions} (trajectory ${r.trajectory})`);
    }
    const have = new Set(records.map((r) => `${r.trajectory}|${r.budgetRegions}`));
    for (const t of plan) {
      const budgets = t.budgets.filter((b) => !have.has(`${t.id}|${b}`));
      if (budgets.length) missing.set(t.id, { trajectory: t, budgets });
    }
  }
  records.sort((a, b) => (a.agentId < b.agentId ? -1 : a.agentId > b.agentId ? 1 : a.seed - b.seed || a.budgetRegions - b.budgetRegions));
  return { records, duplicates, missing };
}
