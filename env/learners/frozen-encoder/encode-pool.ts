/**
 * Encoding many images on worker threads (one tfjs-wasm instance each, so n threads encode about n×
 * as fast): each worker loads the encoder once and writes float16 hypercolumns straight into the
 * store's shared buffer; the caller marks slots filled and writes the disk cache as they arrive.
 */
import type { SegSample } from '../../data/dataset.ts';
import { startWorker } from '../../../compute/worker-thread.ts';
import type { FeatureStoreDescriptor } from './store-descriptor.ts';
import type { EncoderSpec } from './encoder.ts';

export interface EncodeJob {
  readonly slot: number;
  readonly sample: SegSample;
}

export interface EncodeWorkerInit {
  readonly spec: EncoderSpec;
  readonly imageH: number;
  readonly imageW: number;
  readonly store: FeatureStoreDescriptor;
}

export type EncodeReply = { type: 'ready' } | { type: 'done'; slot: number } | { type: 'error'; message: string };

/** The encoder and the size of the images it encodes. */
export interface EncoderSetup {
  readonly spec: EncoderSpec;
  readonly imageH: number;
  readonly imageW: number;
}

export async function encodeInWorkers(setup: EncoderSetup, store: FeatureStoreDescriptor, jobs: readonly EncodeJob[], threads: number, onDone: (slot: number) => void): Promise<void> {
  const init: EncodeWorkerInit = { ...setup, store };
  const queue = [...jobs];
  const workers = Array.from({ length: threads }, () => startWorker(new URL('./encode-worker.ts', import.meta.url), { init }));
  try {
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            const next = () => {
              const job = queue.shift();
              if (!job) return resolve();
              // only the image bytes cross (copied); the result lands in the shared buffer
              w.postMessage({ slot: job.slot, image: job.sample.image });
            };
            w.on('message', (m: EncodeReply) => {
              if (m.type === 'error') return reject(new Error(`encoder worker: ${m.message}`));
              if (m.type === 'done') onDone(m.slot);
              next();
            });
            w.on('error', reject);
            w.on('exit', (code) => (queue.length > 0 || code !== 0 ? reject(new Error(`encoder worker exited (code ${code})`)) : undefined));
          }),
      ),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
