/**
 * The compute flags every command shares: the tfjs backend (everything not forward-only), the
 * inference engine of the forward-only trunk passes, the engine of the SGD gradients, and the
 * native engines' thread count.
 */
import type { Command } from 'commander';
import { BACKEND_NAMES, initBackend, type BackendName } from '../compute/tfjs/backend.ts';
import { INFERENCE_NAMES, initInference, type InferenceInUse, type InferenceName } from '../compute/inference.ts';
import { TRAINING_NAMES, initTraining, type TrainingInUse, type TrainingName } from '../compute/training.ts';
import { choiceOption, intOption } from './cli-options.ts';

export interface ComputeOptions {
  backend: BackendName;
  inference: InferenceName;
  /** Native inference threads; default: every core, divided among parallel workers. */
  threads?: number;
  /** Engine of the SGD gradients (default tfjs, the reference; ort is an opt-in, see training.ts). */
  training?: TrainingName;
}

export interface ComputeInUse {
  backend: string;
  inference: InferenceInUse;
  training: TrainingInUse;
}

export function addComputeOptions(cmd: Command, defaultBackend: BackendName = 'auto'): Command {
  return cmd
    .option('--backend <name>', `tfjs backend: ${BACKEND_NAMES.join('|')}`, choiceOption('--backend', BACKEND_NAMES), defaultBackend)
    .option('--inference <name>', `forward-only passes: ${INFERENCE_NAMES.join('|')} (auto: ort when onnxruntime-node loads)`, choiceOption('--inference', INFERENCE_NAMES), 'auto')
    .option('--threads <n>', 'native threads (default: all cores, shared among workers)', intOption('--threads', 1))
    .option('--training <name>', `gradients of learners that train natively (UNet-S): ${TRAINING_NAMES.join('|')} (auto: ort when it loads, ~5× faster per SGD step; runs of the two engines are not number-for-number equal)`, choiceOption('--training', TRAINING_NAMES), 'auto');
}

/** Just the compute options of a command's parsed options (to hand to worker threads). */
export function computeOptions(o: ComputeOptions): ComputeOptions {
  return { backend: o.backend, inference: o.inference, threads: o.threads, training: o.training };
}

/** Initialise the three engines (without --threads, the native ones take every core). */
export async function initCompute(o: ComputeOptions): Promise<ComputeInUse> {
  const backend = await initBackend(o.backend);
  const inference = await initInference(o.inference, { threads: o.threads });
  const training = await initTraining(o.training ?? 'auto', { threads: o.threads });
  return { backend, inference, training };
}
