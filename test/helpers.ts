/** Shared test helpers. */
import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The shared CamVid copy, when this machine has it. */
export const CAMVID_DIR = resolve(process.env.REGIONGYM_CAMVID ?? '../shared/datasets/camvid');
export const HAS_CAMVID = existsSync(join(CAMVID_DIR, 'train'));

export function tempDir(prefix = 'regiongym-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Run `fn` on another backend and switch back. */
export async function onBackend<T>(name: string, fn: () => T | Promise<T>): Promise<T> {
  const before = tf.getBackend();
  await tf.setBackend(name);
  try {
    return await fn();
  } finally {
    await tf.setBackend(before);
  }
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
