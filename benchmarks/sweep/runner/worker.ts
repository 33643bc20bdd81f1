/** A benchmark worker: its own wasm instance; runs the trajectories the pool sends, one at a time. */
import { parentPort, workerData } from 'node:worker_threads';
import { initCompute } from '../../cli/compute-flags.ts';
import { toWire } from '../../../core/errors.ts';
import { adoptLearnerState } from '../../../env/learners/registry.ts';
import '../../../agents/catalog.ts';
import { adoptDatasets, type SharedDataset } from '../../../env/data/registry.ts';
import { runTrajectory } from './trajectory.ts';
import type { TrajectoryJob, WorkerInit, WorkerMessage } from './messages.ts';

const port = parentPort!;
const stop = new Int32Array((workerData as WorkerInit).stop);
const stopRequested = () => Atomics.load(stop, 0) === 1;
const send = (m: WorkerMessage) => port.postMessage(m);
adoptLearnerState((workerData as WorkerInit).learners);
adoptDatasets((workerData as WorkerInit).datasets as SharedDataset[] | undefined);
let engines: Awaited<ReturnType<typeof initCompute>>;
try {
  engines = await initCompute((workerData as WorkerInit).compute);
} catch (e) {
  // before 'ready': the pool reports it for the job it would have sent
  send({ type: 'error', error: toWire(e) });
  throw e;
}
const { backend, inference, training } = engines;
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
      stopRequested,
    });
    send({ type: 'done' });
  } catch (e) {
    send({ type: 'error', error: toWire(e) });
  }
});
