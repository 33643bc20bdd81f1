/**
 * The sweep as a deterministic list of trajectories (protocol × agent × seed, covering the budgets),
 * sorted by agent identity then seed, each with its stable id; and shards of it for a scheduler:
 * shard i of n runs trajectory j when j mod n = i (CleanRL's benchmark utility does the same with
 * one array task per command). The list does not depend on what is done, so a requeued shard gets
 * the same trajectories.
 */
import { ConfigError } from '../../core/errors.ts';
import type { AgentSpec } from '../../agents/registry.ts';
import type { Protocol } from '../../env/protocol/load.ts';
import { protocolHash } from '../../env/protocol/hash.ts';
import { trajectoryId } from './identity.ts';

export interface PlannedTrajectory {
  readonly index: number;
  readonly id: string;
  readonly agent: AgentSpec;
  readonly seed: number;
  readonly budgets: readonly number[];
}

export function runList(protocol: Protocol, agents: readonly AgentSpec[], seeds: readonly number[], budgets: readonly number[]): PlannedTrajectory[] {
  const hash = protocolHash(protocol);
  const sortedBudgets = [...budgets].sort((a, b) => a - b);
  return [...agents]
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .flatMap((agent) => [...seeds].sort((a, b) => a - b).map((seed) => ({ agent, seed })))
    .map(({ agent, seed }, index) => ({ index, id: trajectoryId(hash, agent.id, seed), agent, seed, budgets: sortedBudgets }));
}

export interface Shard {
  readonly index: number;
  readonly count: number;
}

/**
 * The shard from `--shard i/n`, else from the scheduler's environment: Slurm job arrays
 * (SLURM_ARRAY_TASK_ID − SLURM_ARRAY_TASK_MIN of SLURM_ARRAY_TASK_COUNT), then Kubernetes Indexed Jobs
 * (JOB_COMPLETION_INDEX, with the count from `--shards n`). Null: no sharding.
 */
export function resolveShard(flag: string | undefined, count: number | undefined, env: NodeJS.ProcessEnv = process.env): Shard | null {
  const check = (index: number, n: number, from: string): Shard => {
    if (!Number.isInteger(n) || n < 1) throw new ConfigError(`${from}: the shard count must be a positive integer, got ${n}`);
    if (!Number.isInteger(index) || index < 0 || index >= n) throw new ConfigError(`${from}: shard index ${index} is not in 0..${n - 1}`);
    return { index, count: n };
  };
  if (flag !== undefined) {
    const m = /^(\d+)\/(\d+)$/.exec(flag.trim());
    if (!m) throw new ConfigError(`--shard '${flag}': expected i/n, e.g. --shard 0/4`);
    return check(Number(m[1]), Number(m[2]), '--shard');
  }
  if (env.SLURM_ARRAY_TASK_ID !== undefined) {
    const n = count ?? Number(env.SLURM_ARRAY_TASK_COUNT);
    return check(Number(env.SLURM_ARRAY_TASK_ID) - Number(env.SLURM_ARRAY_TASK_MIN ?? 0), n, 'SLURM_ARRAY_TASK_ID');
  }
  if (env.JOB_COMPLETION_INDEX !== undefined) {
    if (count === undefined) throw new ConfigError('JOB_COMPLETION_INDEX is set (a Kubernetes Indexed Job) but the shard count is not: pass --shards <completions>');
    return check(Number(env.JOB_COMPLETION_INDEX), count, 'JOB_COMPLETION_INDEX');
  }
  if (count !== undefined) throw new ConfigError('--shards needs a shard index: --shard i/n, SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX');
  return null;
}

export function inShard(t: PlannedTrajectory, shard: Shard | null): boolean {
  return shard === null || t.index % shard.count === shard.index;
}

/** A shard's own runs file inside a runs directory. */
export function shardFile(dir: string, shard: Shard): string {
  return `${dir.replace(/\/+$/, '')}/shard-${String(shard.index).padStart(3, '0')}-of-${String(shard.count).padStart(3, '0')}.jsonl`;
}
