/**
 * A pool of worker_threads (wasm runs one thread per instance, so parallel runs need workers). Jobs
 * go to whichever worker is free; every worker's messages are merged into one rxjs stream.
 */
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../../../compute/worker-thread.ts';
import { Observable, Subject } from 'rxjs';
import { availableParallelism } from 'node:os';
import type { ComputeOptions } from '../../cli/compute-flags.ts';
import type { TrajectoryJob, WorkerMessage } from './messages.ts';
import { fromWire } from '../../../core/errors.ts';
import { sharedLearnerState } from '../../../env/learners/registry.ts';
import { sharedDatasets } from '../../../env/data/registry.ts';

/** How long a stopping worker may take to reach its next step or epoch before it is terminated anyway. */
const STOP_GRACE_MS = 10 * 60_000;

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
    // Workers are never terminated inside a trajectory: a thread terminated inside an onnxruntime call
    // aborts the whole process (the error unprinted, the exit code 134). Stopping asks them through
    // `stop`; each ends at its next step or epoch (StopRequestedError), and only idle ones are terminated.
    const stop = new Int32Array(new SharedArrayBuffer(4));
    /** The job each busy worker runs; a worker holds its job's claim until it is done with it. */
    const held = new Map<Worker, TrajectoryJob>();
    let stopped: (() => void) | null = null;
    const letGo = (w: Worker) => {
      const job = held.get(w);
      if (!job) return;
      held.delete(w);
      release(job);
    };
    /** `w` has no more work: its claim released, its (idle) thread terminated. */
    const retire = (w: Worker) => {
      letGo(w);
      void w.terminate();
      if (held.size === 0) stopped?.();
    };
    const finish = (err?: Error) => {
      if (finished) return;
      finished = true;
      Atomics.store(stop, 0, 1);
      for (const t of pool) if (!held.has(t)) retire(t);
      const report = () => (err ? out.error(err) : out.complete());
      if (held.size === 0) return report();
      // a worker stuck in one native call longer than this is terminated anyway
      const late = setTimeout(() => [...held.keys()].forEach(retire), STOP_GRACE_MS);
      stopped = () => {
        clearTimeout(late);
        report();
      };
    };
    const next = (w: Worker) => {
      letGo(w);
      if (finished) return retire(w);
      let job = queue.shift();
      try {
        while (job && !claim(job)) job = queue.shift();
      } catch (e) {
        // a claim that cannot be written (read-only --out, a file where the claims directory goes): the
        // sweep's error, reported like a worker's, not an exception thrown out of this message handler
        retire(w);
        return finish(e as Error);
      }
      if (!job) {
        retire(w);
        if (--running === 0) finish();
        return;
      }
      held.set(w, job);
      w.postMessage(job);
    };
    const n = Math.max(1, Math.min(workers, jobs.length));
    // the workers share the cores: native inference threads are divided among them
    const threads = compute.threads ?? Math.max(1, Math.floor(availableParallelism() / n));
    if (jobs.length === 0) finish();
    for (let i = 0; i < n; i++) {
      const w = startWorker(new URL('./worker.ts', import.meta.url), { compute: { ...compute, threads }, learners: sharedLearnerState(), datasets: sharedDatasets(), stop: stop.buffer });
      pool.push(w);
      running++;
      w.on('message', (m: WorkerMessage) => {
        const job = held.get(w);
        if (!job) {
          if (m.type === 'error') finish(fromWire(m.error, 'worker start'));
          if (m.type === 'ready') next(w);
          return;
        }
        // while stopping, a run that finished still reaches the runs file; the stop itself is no news
        if (m.type === 'error' && finished) return next(w);
        out.next({ job, message: m });
        if (m.type === 'done') next(w);
        if (m.type === 'error') {
          finish(fromWire(m.error, `${job.agent.label} seed ${job.seed}`));
          next(w);
        }
      });
      // an error already reported as a message wins; this covers crashes outside the message protocol
      w.on('error', (e) => setImmediate(() => finish(e)));
      w.on('exit', () => held.has(w) && retire(w));
    }
    return () => {
      sub.unsubscribe();
      finish();
    };
  });
}
