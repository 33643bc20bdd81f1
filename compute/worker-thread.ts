/** Start a worker thread running a TypeScript module (through the one boot file that registers tsx). */
import { Worker } from 'node:worker_threads';

const BOOT = new URL('./worker-boot.mjs', import.meta.url);

/** `entry`: the module's URL (e.g. `new URL('./worker.ts', import.meta.url)`); `data` joins workerData. */
export function startWorker(entry: URL, data: Record<string, unknown> = {}): Worker {
  return new Worker(BOOT, { workerData: { ...data, entry: entry.href } });
}
