/**
 * Which engine runs the forward-only passes (state/candidate features, reward and test evaluation,
 * BALD's MC-dropout passes). Training has its own choice (training.ts).
 *
 * - `tfjs`: the reference path, on the tfjs backend in use.
 * - `ort`: onnxruntime-node's native CPU kernels (optional dependency), running the graphs each
 *   learner builds from its own weights; their outputs equal the learner's tfjs path within 1e-4
 *   (test/ort-trunk.test.ts, test/learner-contract.test.ts).
 * - `auto`: `ort` when onnxruntime-node loads, else `tfjs`.
 *
 * A process-wide choice, like the tfjs backend; benchmark workers make the same choice as their
 * parent. It says only whether the native engine may be used: which graphs run on it is each
 * learner's business.
 */
import { availableParallelism } from 'node:os';
import type * as Ort from 'onnxruntime-node';
import { BackendError } from '../core/errors.ts';
import { OrtEngine, type GraphOwner } from './ort/engine.ts';

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

/** The native engine when forward-only passes may run on it (`ort` in use), else null. */
export function nativeInference(): OrtEngine | null {
  return ortEngine;
}

/** Free whatever the engine keeps for an owner (its sessions); for a learner being disposed. */
export function releaseNative(owner: GraphOwner): void {
  // fire and forget (dispose is synchronous); a failure costs only memory, so it warns
  ortEngine?.forget(owner).catch((e: Error) => process.emitWarning(`releasing native sessions failed: ${e.message}`));
}
