/** Messages between the benchmark runner and its workers. */
import type { WireError } from '../../../core/errors.ts';
import type { AgentSpec } from '../../../agents/registry.ts';
import type { ComputeOptions } from '../../cli/compute-flags.ts';
import type { Protocol } from '../../../env/protocol/load.ts';
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
  /** Stable trajectory id (identity.ts). */
  id: string;
  /** The trajectory's action log (runner/action-log.ts), replayed and extended; null: none kept. */
  actionLog: string | null;
}

export interface WorkerInit {
  /** Threads already divided among the workers. */
  compute: ComputeOptions & { threads: number };
  /** Per learner, what the parent computed and shares (no copy) with the workers: encoded features. */
  learners?: Record<string, unknown>;
  datasets?: unknown[];
  /** One Int32: 1 asks the worker to stop its trajectory at the next step or epoch (pool.ts). */
  stop: SharedArrayBuffer;
}

export type WorkerMessage =
  | { type: 'ready'; backend: string; inference: string; training: string }
  | { type: 'record'; record: RunRecord }
  | { type: 'progress'; progress: TrajectoryProgress }
  | { type: 'done' }
  | { type: 'error'; error: WireError };
