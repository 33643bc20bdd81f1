/**
 * The benchmark sweep: every (agent, seed) trajectory of a protocol over its budgets, on a worker
 * pool; one schema-validated JSON line per finished run, appended atomically. Runs already in the
 * output file are skipped, so an interrupted sweep resumes where it stopped.
 */
import { dirname, join } from 'node:path';
import { Observable, lastValueFrom, tap } from 'rxjs';
import { appendLineAtomic } from '../env/core/fs.ts';
import { ConfigError } from '../env/core/errors.ts';
import type { ComputeOptions } from './compute.ts';
import type { AgentSpec } from '../agents/registry.ts';
import type { Protocol } from '../env/protocol/load.ts';
import { checkRunRecord, readRunRecords, runKey, type RunRecord } from './run-record.ts';
import { runJobs, type PoolEvent } from './runner/pool.ts';
import type { TrajectoryJob } from './runner/messages.ts';

export interface BenchOptions {
  protocol: Protocol;
  agents: AgentSpec[];
  seeds: number[];
  budgets: number[];
  workers: number;
  compute: ComputeOptions;
  outFile: string;
  dataRoot?: string;
}

export interface BenchPlan {
  jobs: TrajectoryJob[];
  totalRuns: number;
  skippedRuns: number;
}

export function planBench(o: BenchOptions): BenchPlan {
  const existing = readRunRecords(o.outFile);
  // one board, one gradient engine: their runs are not number-for-number comparable (training.ts)
  const training = o.compute.training ?? 'tfjs';
  const other = existing.find((r) => (r.training ?? 'tfjs') !== training);
  if (other) throw new ConfigError(`${o.outFile} holds runs trained with '${other.training ?? 'tfjs'}' gradients; --training ${training} would mix engines in one leaderboard: use another --out`);
  const done = new Set(existing.map(runKey));
  const jobs: TrajectoryJob[] = [];
  let skipped = 0;
  for (const agent of o.agents)
    for (const seed of o.seeds) {
      const skip = o.budgets.filter((b) => done.has(runKey({ protocol: o.protocol.name, agent: agent.label, seed, budgetRegions: b })));
      skipped += skip.length;
      if (skip.length < o.budgets.length) jobs.push({ protocol: o.protocol, agent, seed, budgets: o.budgets, skip, dataRoot: o.dataRoot, cacheDir: join(dirname(o.outFile), '.cache') });
    }
  return { jobs, totalRuns: o.agents.length * o.seeds.length * o.budgets.length, skippedRuns: skipped };
}

/** Run the plan; records are written as they arrive. The observable carries every worker event. */
export function runBench(o: BenchOptions, plan: BenchPlan = planBench(o)): Observable<PoolEvent> {
  return runJobs(plan.jobs, o.workers, o.compute).pipe(
    tap((e) => {
      if (e.message.type === 'record') appendLineAtomic(o.outFile, JSON.stringify(checkRunRecord(e.message.record)));
    }),
  );
}

export async function runBenchToEnd(o: BenchOptions): Promise<RunRecord[]> {
  await lastValueFrom(runBench(o), { defaultValue: null });
  return readRunRecords(o.outFile);
}
