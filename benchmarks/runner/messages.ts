/** Messages between the benchmark runner and its workers. */
import type { AgentSpec } from '../../agents/registry.ts';
import type { ComputeOptions } from '../compute.ts';
import type { Protocol } from '../../env/protocol/load.ts';
import type { RunRecord } from '../run-record.ts';
import type { TrajectoryProgress } from './trajectory.ts';

export interface TrajectoryJob {
  protocol: Protocol;
  agent: AgentSpec;
  seed: number;
  budgets: number[];
  skip: number[];
  dataRoot?: string;
  cacheDir: string | null;
}

export interface WorkerInit {
  /** Threads already divided among the workers. */
  compute: ComputeOptions & { threads: number };
}

export type WorkerMessage =
  | { type: 'ready'; backend: string; inference: string; training: string }
  | { type: 'record'; record: RunRecord }
  | { type: 'progress'; progress: TrajectoryProgress }
  | { type: 'done' }
  | { type: 'error'; message: string };
