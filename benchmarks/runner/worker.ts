/** A benchmark worker: its own wasm instance; runs the trajectories the pool sends, one at a time. */
import { parentPort, workerData } from 'node:worker_threads';
import { initCompute } from '../compute.ts';
import { runTrajectory } from './trajectory.ts';
import type { TrajectoryJob, WorkerInit, WorkerMessage } from './messages.ts';

const port = parentPort!;
const send = (m: WorkerMessage) => port.postMessage(m);
const { backend, inference, training } = await initCompute((workerData as WorkerInit).compute);
send({ type: 'ready', backend, inference, training });

port.on('message', async (job: TrajectoryJob) => {
  try {
    await runTrajectory({
      ...job,
      skip: new Set(job.skip),
      backend,
      inference,
      training,
      onRecord: (record) => send({ type: 'record', record }),
      onProgress: (progress) => send({ type: 'progress', progress }),
    });
    send({ type: 'done' });
  } catch (e) {
    send({ type: 'error', message: `${(e as Error).name}: ${(e as Error).message}` });
  }
});
