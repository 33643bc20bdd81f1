/**
 * The compute flags every command shares: the tfjs backend (everything not forward-only), the
 * inference engine of the forward-only trunk passes, the engine of the SGD gradients, and the
 * native engines' thread count.
 */
import type { Command } from 'commander';
import { createRequire } from 'node:module';
import { BackendError } from '../../core/errors.ts';
import { BACKEND_NAMES, initBackend, type BackendName } from '../../compute/tfjs/backend.ts';
import { INFERENCE_NAMES, initInference, type InferenceInUse, type InferenceName } from '../../compute/inference.ts';
import { TRAINING_NAMES, initTraining, type TrainingInUse, type TrainingName } from '../../compute/training.ts';
import { choiceOption, intOption } from './options.ts';

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
    .option('--threads <n>', 'native threads (default: all cores, shared among workers)', intOption('--threads', 1, 256))
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

/**
 * Check, in the calling thread and before any worker starts, that the chosen engines can load: a
 * backend or engine that cannot is a BackendError now, not a worker failure minutes later.
 */
export async function checkCompute(o: ComputeOptions): Promise<void> {
  if (o.backend === 'node' || o.backend === 'node-gpu') {
    const pkg = o.backend === 'node' ? '@tensorflow/tfjs-node' : '@tensorflow/tfjs-node-gpu';
    try {
      await import(pkg);
    } catch (e) {
      throw new BackendError(`backend '${o.backend}' cannot load: ${pkg} did not load (${(e as Error).message.split('\n')[0]}). Use --backend wasm or cpu.`);
    }
  }
  if (o.inference === 'ort' || o.training === 'ort') {
    try {
      createRequire(import.meta.url)('onnxruntime-node');
    } catch (e) {
      const flag = o.inference === 'ort' ? '--inference' : '--training';
      throw new BackendError(`${flag} ort cannot load: onnxruntime-node did not load (${(e as Error).message.split('\n')[0]}). Use ${flag} tfjs.`);
    }
  }
}
