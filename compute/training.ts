/**
 * Which engine computes the segmentation net's SGD gradients. A process-wide choice, like the tfjs
 * backend and the inference engine; benchmark workers make the same choice as their parent.
 *
 * - `tfjs`: tfjs autodiff on the tfjs backend, the reference.
 * - `ort`: the backward pass as an ONNX graph the learner writes (UNet-S: env/learners/unet/onnx-train.ts) on onnxruntime-node's native
 *   kernels, ~5× faster per SGD step on 2 cores. Its gradients equal tfjs' up to float rounding
 *   (test/ort-train.test.ts), but sums in another order make trajectories drift apart over many
 *   SGD steps, so its runs are not comparable number-for-number with `tfjs` runs: recorded in every
 *   run record, and a runs file holds one engine's runs only.
 * - `auto` (default): `ort` when onnxruntime-node loads, else `tfjs`.
 *
 * The optimizer (clipping, weight decay, momentum) stays in tfjs either way.
 */
import { BackendError } from '../core/errors.ts';
import { acquireOrt, nativeThreads, releaseOrt } from './inference.ts';
import type { OrtEngine } from './ort/engine.ts';

export const TRAINING_NAMES = ['auto', 'tfjs', 'ort'] as const;
export type TrainingName = (typeof TRAINING_NAMES)[number];
export type TrainingInUse = Exclude<TrainingName, 'auto'>;

let engine: OrtEngine | null = null;

/**
 * Select the training engine (default `auto`: `ort` when onnxruntime-node loads, the fastest engine
 * shown equal enough; records say which one ran); an explicit `ort` that cannot load throws BackendError.
 */
export async function initTraining(name: TrainingName = 'auto', opts: { threads?: number } = {}): Promise<TrainingInUse> {
  if (!(TRAINING_NAMES as readonly string[]).includes(name)) {
    throw new BackendError(`unknown training engine '${name}': expected one of ${TRAINING_NAMES.join(', ')}`);
  }
  const threads = nativeThreads(opts.threads, 'training');
  if (engine) await releaseOrt(engine);
  engine = null;
  if (name === 'tfjs') return 'tfjs';
  const loaded = await acquireOrt(threads); // the inference engine's, when it runs on as many threads
  if (typeof loaded === 'string') {
    if (name === 'auto') return 'tfjs';
    throw new BackendError(`training engine 'ort' cannot load: ${loaded}. Use --training tfjs.`);
  }
  engine = loaded;
  return 'ort';
}

export function trainingInUse(): TrainingInUse {
  return engine ? 'ort' : 'tfjs';
}

/** The native engine when gradients run on `ort`, else null (tfjs autodiff). */
export function nativeTraining(): OrtEngine | null {
  return engine;
}
