/**
 * Compute backend selection. wasm (SIMD, one thread per process) is the default; `cpu` is the
 * pure-JS reference; `node`/`node-gpu` use @tensorflow/tfjs-node(-gpu) when that optional package
 * loads (it cannot install on machines without internet, so nothing requires it).
 */
import * as tf from '@tensorflow/tfjs';
import { BackendError } from '../../core/errors.ts';
import { registerWasmConvGrads } from './wasm-conv-grads.ts';
import { registerWasmMatMul } from './wasm-matmul.ts';
import { registerWasmSlice } from './wasm-slice.ts';
import { registerWasmTile } from './wasm-tile.ts';

// silences tfjs' console hints from the first tensor on, whichever backend it lands on: the env never prints
tf.env().set('PROD', true);

export const BACKEND_NAMES = ['auto', 'wasm', 'cpu', 'node', 'node-gpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

/** The name tfjs registers each optional native package under. */
const NATIVE_PACKAGES = { node: '@tensorflow/tfjs-node', 'node-gpu': '@tensorflow/tfjs-node-gpu' } as const;

async function tryNative(kind: 'node' | 'node-gpu'): Promise<string | null> {
  try {
    await import(NATIVE_PACKAGES[kind]);
  } catch (e) {
    return `${NATIVE_PACKAGES[kind]} did not load (${(e as Error).message.split('\n')[0]})`;
  }
  return (await tf.setBackend('tensorflow')) ? null : `${NATIVE_PACKAGES[kind]} loaded but its backend did not start`;
}

async function useWasm(): Promise<void> {
  const before = { uncaughtException: process.listeners('uncaughtException'), unhandledRejection: process.listeners('unhandledRejection') };
  await import('@tensorflow/tfjs-backend-wasm');
  registerWasmConvGrads();
  registerWasmMatMul();
  registerWasmSlice();
  registerWasmTile();
  if (!(await tf.setBackend('wasm'))) throw new BackendError("backend 'wasm' failed to initialise");
  // the wasm module's emscripten glue (installed when the module starts) rethrows every uncaught
  // error from inside its own one-line source, so Node printed ~40 KB of minified code above the
  // message: take those handlers off
  for (const l of process.listeners('uncaughtException')) if (!before.uncaughtException.includes(l)) process.removeListener('uncaughtException', l);
  for (const l of process.listeners('unhandledRejection')) if (!before.unhandledRejection.includes(l)) process.removeListener('unhandledRejection', l);
}

/**
 * Select and initialise a backend; returns the tfjs backend name actually in use.
 * `auto` tries node-gpu, node, then wasm. An explicit choice that cannot load throws BackendError.
 */
export async function initBackend(name: BackendName = 'auto'): Promise<string> {
  if (!(BACKEND_NAMES as readonly string[]).includes(name)) {
    throw new BackendError(`unknown backend '${name}': expected one of ${BACKEND_NAMES.join(', ')}`);
  }
  tf.env().set('PROD', true); // silences tfjs' console hints; the env never prints
  if (name === 'node' || name === 'node-gpu') {
    const failure = await tryNative(name);
    if (failure) throw new BackendError(`backend '${name}' cannot load: ${failure}. Use --backend wasm or cpu.`);
  } else if (name === 'wasm') {
    await useWasm();
  } else if (name === 'cpu') {
    await tf.setBackend('cpu');
  } else if ((await tryNative('node-gpu')) !== null && (await tryNative('node')) !== null) {
    await useWasm();
  }
  await tf.ready();
  return tf.getBackend();
}
