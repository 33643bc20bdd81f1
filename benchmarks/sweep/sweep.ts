/**
 * The benchmark sweep: every (agent, seed) trajectory of a protocol over its budgets, on a worker
 * pool; one schema-validated JSON line per finished run, appended atomically. Runs already in the
 * output file are skipped, and each trajectory's steps are logged beside it (`<runs file>.actions/`),
 * so an interrupted sweep resumes where it stopped: mid-trajectory, its logged steps are replayed
 * rather than chosen again (runner/action-log.ts).
 */
import { createRequire } from 'node:module';
import { Observable, filter, lastValueFrom, tap } from 'rxjs';
import { protocolData } from '../../env/make-env.ts';
import { learnerFactory, learnerSpecOf } from '../../env/learners/registry.ts';
import { ConfigError } from '../../core/errors.ts';
import type { ComputeOptions } from '../cli/compute-flags.ts';
import type { AgentSpec } from '../../agents/registry.ts';
import type { Protocol } from '../../env/protocol/load.ts';
import { changedFields, protocolFieldHashes, protocolHash } from '../../env/protocol/hash.ts';
import { appendRunRecord, readRunRecords, runKey, type RunRecord } from './run-record.ts';
import { runJobs, type PoolEvent } from './runner/pool.ts';
import type { TrajectoryJob } from './runner/messages.ts';
import { inShard, runList, type PlannedTrajectory, type Shard } from './run-list.ts';
import { Claims } from './claims.ts';
import { actionLogFile } from './runner/action-log.ts';

export interface BenchOptions {
  protocol: Protocol;
  agents: AgentSpec[];
  seeds: number[];
  budgets: number[];
  workers: number;
  compute: ComputeOptions;
  outFile: string;
  dataRoot?: string;
  /** Learner cache (features, pre-trained weights); default none. */
  cacheDir?: string | null;
  /** Run only this shard of the run list. */
  shard?: Shard | null;
}

export interface BenchPlan {
  /** Seed by seed (every agent's trajectory on a seed before the next seed's), so that a stopped bench leaves whole seeds, paired across agents and training runs, rather than some agents on every seed and others on none. */
  jobs: TrajectoryJob[];
  totalRuns: number;
  skippedRuns: number;
}

/** Refuse a runs file that holds this protocol's name with other content, or another gradient engine. */
export function checkRunsFileFits(existing: readonly RunRecord[], protocol: Protocol, training: string, where: string): void {
  const hash = protocolHash(protocol);
  const other = existing.find((r) => r.protocol === protocol.name && r.protocolHash !== hash);
  if (other) {
    const fields = changedFields(other.protocolFields, protocolFieldHashes(protocol));
    throw new ConfigError(`${where} holds runs of protocol '${protocol.name}' with other content (changed: ${fields.join(', ') || 'unknown'}): rename the protocol or use another --out`);
  }
  // one board, one gradient engine: their runs are not number-for-number comparable (compute/training.ts)
  const engine = existing.find((r) => r.training !== training);
  if (engine) throw new ConfigError(`${where} holds runs trained with '${engine.training}' gradients; --training ${training} would mix engines in one leaderboard: use another --out`);
}

const nativeLoads = (() => {
  let known: boolean | null = null;
  return () => {
    if (known === null) {
      try {
        createRequire(import.meta.url)('onnxruntime-node');
        known = true;
      } catch {
        known = false;
      }
    }
    return known;
  };
})();

/** The gradient engine this protocol's runs will record: a learner that only trains on tfjs, or the --training choice resolved. */
export function expectedTrainingEngine(p: Protocol, name: string | undefined): 'tfjs' | 'ort' {
  if (learnerFactory(learnerSpecOf(p.model).name).nativeTraining === false) return 'tfjs';
  if (name === 'tfjs' || name === 'ort') return name;
  return nativeLoads() ? 'ort' : 'tfjs';
}

/** The budgets of one trajectory whose runs are among `done` (run keys of a runs file). */
function doneBudgets(done: ReadonlySet<string>, hash: string, agentId: string, seed: number, budgets: readonly number[]): number[] {
  return budgets.filter((b) => done.has(runKey({ protocolHash: hash, agentId, seed, budgetRegions: b })));
}

/**
 * Per planned trajectory, the budgets whose runs are already in `files` (this protocol's content
 * only): what `bench --list --out` prints, so a sweep's remaining work can be read before submitting it.
 */
export function doneByTrajectory(files: readonly string[], protocol: Protocol, list: readonly PlannedTrajectory[]): number[][] {
  const hash = protocolHash(protocol);
  const done = new Set(files.flatMap((f) => readRunRecords(f)).map(runKey));
  return list.map((t) => doneBudgets(done, hash, t.agent.id, t.seed, t.budgets));
}

export function planBench(o: BenchOptions): BenchPlan {
  const existing = readRunRecords(o.outFile);
  checkRunsFileFits(existing, o.protocol, expectedTrainingEngine(o.protocol, o.compute.training), o.outFile);
  // a folder data set is whatever --root names: a runs file of another folder must not count as done here
  if (o.protocol.data.name === 'folder' && existing.length > 0) {
    const name = protocolData(o.protocol, o.dataRoot).name;
    const other = existing.find((r) => r.protocol === o.protocol.name && r.dataset.name !== name);
    if (other) throw new ConfigError(`${o.outFile} holds runs of protocol '${o.protocol.name}' on data set ${other.dataset.name}, not ${name}: use another --out for another folder`);
  }
  const hash = protocolHash(o.protocol);
  const done = new Set(existing.map(runKey));
  const jobs: TrajectoryJob[] = [];
  let skipped = 0;
  const mine = runList(o.protocol, o.agents, o.seeds, o.budgets).filter((t) => inShard(t, o.shard ?? null));
  for (const t of mine) {
    const skip = doneBudgets(done, hash, t.agent.id, t.seed, t.budgets);
    skipped += skip.length;
    if (skip.length < t.budgets.length) jobs.push({ protocol: o.protocol, agent: t.agent, seed: t.seed, budgets: [...t.budgets], skip, dataRoot: o.dataRoot, cacheDir: o.cacheDir ?? null, id: t.id, actionLog: actionLogFile(o.outFile, t.id) });
  }
  // the run list (and so the shards) stays agent by agent; only the order of running is by seed (stable sort)
  jobs.sort((a, b) => a.seed - b.seed);
  return { jobs, totalRuns: mine.length * o.budgets.length, skippedRuns: skipped };
}

/** What happened to a trajectory's claim: left to a live holder, or taken over from a lapsed one. */
export interface ClaimHooks {
  onLeft?: (job: TrajectoryJob, holder: string) => void;
  onTakenOver?: (job: TrajectoryJob, from: string) => void;
}

/** The claims directory of a runs file: one lease-bound lock per running trajectory (claims.ts). */
export const claimsOf = (outFile: string): Claims => new Claims(`${outFile}.claims`);

/**
 * Run the plan; records are appended as they arrive (a record another writer already added is not
 * written twice). A trajectory another live bench is running on the same runs file is left to it
 * (`hooks.onLeft` says so); one whose holder is gone or whose lease lapsed is taken over.
 */
export function runBench(o: BenchOptions, plan: BenchPlan = planBench(o), hooks: ClaimHooks = {}): Observable<PoolEvent> {
  const claims = claimsOf(o.outFile);
  const hash = protocolHash(o.protocol);
  // a trajectory claimed now may have been finished by another bench since planning: look again
  const claim = (job: TrajectoryJob): boolean => {
    const taken = claims.take(job.id);
    if (!taken.taken) {
      hooks.onLeft?.(job, taken.holder);
      return false;
    }
    if (taken.tookOver) hooks.onTakenOver?.(job, taken.tookOver);
    job.skip = doneBudgets(new Set(readRunRecords(o.outFile).map(runKey)), hash, job.agent.id, job.seed, job.budgets);
    if (job.skip.length < job.budgets.length) return true;
    claims.release(job.id);
    return false;
  };
  return runJobs(plan.jobs, o.workers, o.compute, claim, (job) => claims.release(job.id)).pipe(
    tap((e) => {
      if (e.message.type === 'record') appendRunRecord(o.outFile, e.message.record);
    }),
  );
}

export async function runBenchToEnd(o: BenchOptions): Promise<RunRecord[]> {
  await lastValueFrom(runBench(o).pipe(filter(() => false)), { defaultValue: null });
  return readRunRecords(o.outFile);
}
