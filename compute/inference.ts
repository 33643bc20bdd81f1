/**
 * Which engine runs the forward-only passes (state/candidate features, reward and test evaluation,
 * BALD's MC-dropout passes). Training has its own choice (training.ts).
 *
 * - `tfjs`: the reference path, on the tfjs backend in use.
 * - `ort`: onnxruntime-node's native CPU kernels (optional dependency), fed the current weights;
 *   its outputs equal the tfjs path's within 1e-4 (test/ort-trunk.test.ts).
 * - `auto`: `ort` when onnxruntime-node loads, else `tfjs`.
 *
 * A process-wide choice, like the tfjs backend; benchmark workers make the same choice as their parent.
 */
import * as tf from '@tensorflow/tfjs';
import { availableParallelism } from 'node:os';
import type * as Ort from 'onnxruntime-node';
import { BackendError } from '../env/core/errors.ts';
import { OrtEngine, type TrunkSource } from './ort/engine.ts';
import { trunk } from '../env/learners/unet/net.ts';

export const INFERENCE_NAMES = ['auto', 'tfjs', 'ort'] as const;
export type InferenceName = (typeof INFERENCE_NAMES)[number];
export type InferenceInUse = Exclude<InferenceName, 'auto'>;

export interface InferenceOptions {
  /** Native threads for `ort` (default: every core of the machine). */
  threads?: number;
}

let ortEngine: OrtEngine | null = null;

/** Native engines by thread count, shared by inference and training (one set of worker threads). */
const shared = new Map<number, { engine: Promise<OrtEngine | string>; users: number }>();

async function loadOrt(threads: number): Promise<OrtEngine | string> {
  try {
    // CommonJS package: the API sits on `default` under some loaders and on the namespace under others
    const mod = (await import('onnxruntime-node')) as unknown as { default?: typeof Ort };
    return new OrtEngine(mod.default ?? (mod as unknown as typeof Ort), threads);
  } catch (e) {
    return `onnxruntime-node did not load (${(e as Error).message.split('\n')[0]})`;
  }
}

/** onnxruntime-node as an engine on `threads` threads, or why it did not load; `releaseOrt` it when done. */
export async function acquireOrt(threads: number): Promise<OrtEngine | string> {
  let entry = shared.get(threads);
  if (!entry) shared.set(threads, (entry = { engine: loadOrt(threads), users: 0 }));
  const engine = await entry.engine;
  if (typeof engine === 'string') shared.delete(threads);
  else entry.users++;
  return engine;
}

/** Give back an engine from `acquireOrt`; the last user closes it. */
export async function releaseOrt(engine: OrtEngine): Promise<void> {
  const entry = shared.get(engine.threads);
  if (!entry || --entry.users > 0) return;
  shared.delete(engine.threads);
  await engine.close();
}

/** A thread count for a native engine: the given one, checked, or every core. */
export function nativeThreads(threads: number | undefined, what: string): number {
  const n = threads ?? availableParallelism();
  if (!Number.isInteger(n) || n < 1) throw new BackendError(`${what} threads must be a positive integer, got ${n}`);
  return n;
}

/** Select the inference engine; returns the one in use. An explicit `ort` that cannot load throws BackendError. */
export async function initInference(name: InferenceName = 'auto', opts: InferenceOptions = {}): Promise<InferenceInUse> {
  if (!(INFERENCE_NAMES as readonly string[]).includes(name)) {
    throw new BackendError(`unknown inference engine '${name}': expected one of ${INFERENCE_NAMES.join(', ')}`);
  }
  const threads = nativeThreads(opts.threads, 'inference');
  if (ortEngine) await releaseOrt(ortEngine);
  ortEngine = null;
  if (name === 'tfjs') return 'tfjs';
  const loaded = await acquireOrt(threads);
  if (typeof loaded === 'string') {
    if (name === 'ort') throw new BackendError(`inference engine 'ort' cannot load: ${loaded}. Use --inference tfjs.`);
    return 'tfjs';
  }
  ortEngine = loaded;
  return 'ort';
}

export function inferenceInUse(): InferenceInUse {
  return ortEngine ? 'ort' : 'tfjs';
}

/** Native threads of the engine in use (tfjs-wasm: 1). */
export function inferenceThreads(): number {
  return ortEngine?.threads ?? 1;
}

/** Trunk features [B, H, W, F] of normalised NHWC pixels of `batch` images. Caller owns the tensor. */
export async function trunkFeatures(src: TrunkSource, pixels: Float32Array, batch: number): Promise<tf.Tensor4D> {
  const shape: [number, number, number, number] = [batch, src.height, src.width, src.params.config.widths[0]!];
  if (ortEngine) return tf.tensor4d(await ortEngine.features(src, pixels, batch), shape);
  return tf.tidy(() => trunk(src.params, tf.tensor4d(pixels, [batch, src.height, src.width, 3])));
}

/** The native engine when `ort` is in use (for passes with an ORT graph of their own, like BALD's). */
export function activeOrt(): OrtEngine | null {
  return ortEngine;
}

/** Free whatever the engine keeps for a model (its ORT sessions). */
export function releaseInference(src: TrunkSource): void {
  // fire and forget (dispose is synchronous); a failure costs only memory, so it warns
  ortEngine?.forget(src).catch((e: Error) => process.emitWarning(`releasing native sessions failed: ${e.message}`));
}
