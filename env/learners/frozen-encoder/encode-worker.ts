/** An encoder worker thread (encode-pool.ts): load the encoder, then encode the images it is sent. */
import { parentPort, workerData } from 'node:worker_threads';
import { initBackend } from '../../../compute/tfjs/backend.ts';
import { encodeHalf } from '../../../nn/float16.ts';
import { Encoder } from './encoder.ts';
import type { EncodeReply, EncodeWorkerInit } from './encode-pool.ts';

const port = parentPort!;
const init = (workerData as { init: EncodeWorkerInit }).init;
const reply = (m: EncodeReply) => port.postMessage(m);
try {
  await initBackend('wasm');
  const enc = await Encoder.load(init.spec, init.imageH, init.imageW);
  const halves = new Uint16Array(init.store.buffer);
  const size = init.store.dims.gridH * init.store.dims.gridW * init.store.dims.channels;
  port.on('message', async (job: { slot: number; image: Uint8Array }) => {
    try {
      encodeHalf(await enc.encode(job.image), halves.subarray(job.slot * size, (job.slot + 1) * size));
      reply({ type: 'done', slot: job.slot });
    } catch (e) {
      reply({ type: 'error', message: (e as Error).message });
    }
  });
  reply({ type: 'ready' });
} catch (e) {
  reply({ type: 'error', message: (e as Error).message });
}
