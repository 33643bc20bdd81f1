/**
 * A pool of worker_threads (wasm runs one thread per instance, so parallel runs need workers). Jobs
 * go to whichever worker is free; every worker's messages are merged into one rxjs stream.
 */
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../../compute/worker-thread.ts';
import { Observable, Subject } from 'rxjs';
import { availableParallelism } from 'node:os';
import type { ComputeOptions } from '../compute.ts';
import type { TrajectoryJob, WorkerMessage } from './messages.ts';
import { fromWire } from '../../env/core/errors.ts';
import { sharedFeatureStores } from '../../env/learners/frozen-encoder/feature-store.ts';
import { sharedDatasets } from '../../env/data/registry.ts';

export interface PoolEvent {
  job: TrajectoryJob;
  message: WorkerMessage;
}

/**
 * Run jobs on `workers` threads; the observable completes when all are done, errors on the first
 * failure (with the worker's error class: a ConfigError stays a ConfigError). `claim` is asked before
 * a job starts (false: another process runs it, skip it); `release` after it ends either way.
 */
export function runJobs(jobs: TrajectoryJob[], workers: number, compute: ComputeOptions, claim: (job: TrajectoryJob) => boolean = () => true, release: (job: TrajectoryJob) => void = () => {}): Observable<PoolEvent> {
  return new Observable<PoolEvent>((subscriber) => {
    const out = new Subject<PoolEvent>();
    const sub = out.subscribe(subscriber);
    const queue = [...jobs];
    const pool: Worker[] = [];
    let running = 0;
    let finished = false;
    const finish = (err?: Error) => {
      if (finished) return;
      finished = true;
      for (const t of pool) void t.terminate();
      for (const t of pool) {
        const job = (t as Worker & { job?: TrajectoryJob }).job;
        if (job) release(job);
      }
      if (err) out.error(err);
      else out.complete();
    };
    const next = (w: Worker) => {
      const held = (w as Worker & { job?: TrajectoryJob }).job;
      if (held) release(held);
      (w as Worker & { job?: TrajectoryJob }).job = undefined;
      let job = queue.shift();
      while (job && !claim(job)) job = queue.shift();
      if (!job) {
        void w.terminate();
        if (--running === 0) finish();
        return;
      }
      (w as Worker & { job?: TrajectoryJob }).job = job;
      w.postMessage(job);
    };
    const n = Math.max(1, Math.min(workers, jobs.length));
    // the workers share the cores: native inference threads are divided among them
    const threads = compute.threads ?? Math.max(1, Math.floor(availableParallelism() / n));
    if (jobs.length === 0) finish();
    for (let i = 0; i < n; i++) {
      const w = startWorker(new URL('./worker.ts', import.meta.url), { compute: { ...compute, threads }, stores: sharedFeatureStores(), datasets: sharedDatasets() });
      pool.push(w);
      running++;
      w.on('message', (m: WorkerMessage) => {
        const job = (w as Worker & { job?: TrajectoryJob }).job;
        if (!job) {
          if (m.type === 'error') finish(fromWire(m.error, 'worker start'));
          if (m.type === 'ready') next(w);
          return;
        }
        out.next({ job, message: m });
        if (m.type === 'done') next(w);
        if (m.type === 'error') finish(fromWire(m.error, `${job.agent.label} seed ${job.seed}`));
      });
      // an error already reported as a message wins; this covers crashes outside the message protocol
      w.on('error', (e) => setImmediate(() => finish(e)));
    }
    return () => {
      sub.unsubscribe();
      finish();
    };
  });
}
