/**
 * The compute flags every command shares: the tfjs backend (training and everything not forward-only)
 * and the inference engine of the forward-only trunk passes, with its native thread count.
 */
import type { Command } from 'commander';
import { BACKEND_NAMES, initBackend, type BackendName } from '../env/model/backend.ts';
import { INFERENCE_NAMES, initInference, type InferenceInUse, type InferenceName } from '../env/model/inference.ts';
import { choiceOption, intOption } from './cli-options.ts';

export interface ComputeOptions {
  backend: BackendName;
  inference: InferenceName;
  /** Native inference threads; default: every core, divided among parallel workers. */
  threads?: number;
}

export interface ComputeInUse {
  backend: string;
  inference: InferenceInUse;
}

export function addComputeOptions(cmd: Command, defaultBackend: BackendName = 'auto'): Command {
  return cmd
    .option('--backend <name>', `tfjs backend: ${BACKEND_NAMES.join('|')}`, choiceOption('--backend', BACKEND_NAMES), defaultBackend)
    .option('--inference <name>', `forward-only passes: ${INFERENCE_NAMES.join('|')} (auto: ort when onnxruntime-node loads)`, choiceOption('--inference', INFERENCE_NAMES), 'auto')
    .option('--threads <n>', 'native inference threads (default: all cores, shared among workers)', intOption('--threads', 1));
}

/** Initialise both engines (without --threads, the inference engine takes every core). */
export async function initCompute(o: ComputeOptions): Promise<ComputeInUse> {
  const backend = await initBackend(o.backend);
  const inference = await initInference(o.inference, { threads: o.threads });
  return { backend, inference };
}
