/**
 * Session hosts in worker threads, one intra-op thread each: onnxruntime-node runs a session on the
 * calling thread (the event loop waits), so two runs only proceed at once from two threads. Per-image
 * work split across two single-threaded workers measured faster than one session on two threads
 * (training step 24 crops: ~1.7×; 101-image evaluation: ~1.15×), since much of a run (copies,
 * elementwise ops) uses one thread whatever the setting.
 */
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../worker-thread.ts';
import type { DropoutMask, Feeds, LabelGeometry, Outputs, SessionHost } from './host.ts';

export type HostRequest = { id: number } & (
  | { op: 'load'; key: string; model: Uint8Array }
  | { op: 'release'; prefix: string }
  | { op: 'runEach'; key: string; feeds: Feeds[] }
  | { op: 'confusionEach'; key: string; feeds: Feeds[]; truths: Uint8Array[]; geo: LabelGeometry }
  | { op: 'mcPasses'; key: string; features: Float32Array | Uint16Array; dims: number[]; sumDims: { probs: number[]; entropy: number[] }; seeds: number[]; mask: DropoutMask }
);
export type HostReply = { id: number } & ({ ok: true; value?: unknown } | { ok: false; error: string });

/** A request as a caller writes it: `call` adds the id (distributed over the union, so each op keeps its fields). */
type Request = HostRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

export class WorkerSessionHost implements SessionHost {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; done: Promise<unknown> }>();
  private nextId = 0;
  /** Why the thread is gone, once it is: later calls fail at once instead of waiting forever. */
  private stopped: string | null = null;

  constructor() {
    this.worker = startWorker(new URL('./worker.ts', import.meta.url));
    this.worker.on('message', (r: HostReply) => {
      const p = this.pending.get(r.id);
      if (!p) return;
      this.pending.delete(r.id);
      if (this.pending.size === 0) this.worker.unref();
      if (r.ok) p.resolve(r.value);
      else p.reject(new Error(`native engine worker: ${r.error}`));
    });
    const fail = (e: Error) => {
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => {
      this.stopped = `native engine worker exited (code ${code})`;
      fail(new Error(this.stopped));
    });
    // after the listeners (a 'message' listener refs the worker): an idle worker never keeps the process alive
    this.worker.unref();
  }

  private call<T>(req: Request, transfer: ArrayBuffer[] = []): Promise<T> {
    if (this.stopped) return Promise.reject(new Error(this.stopped));
    const id = this.nextId++;
    let settle!: { resolve: (v: unknown) => void; reject: (e: Error) => void };
    const done = new Promise<T>((resolve, reject) => (settle = { resolve: resolve as (v: unknown) => void, reject }));
    // referenced while a reply is due (the process waits for it), not while idle
    if (this.pending.size === 0) this.worker.ref();
    this.pending.set(id, { ...settle, done });
    try {
      this.worker.postMessage({ ...req, id }, transfer);
    } catch (e) {
      // an uncloneable request (a buffer already moved to another thread) fails here, not silently forever
      this.pending.delete(id);
      if (this.pending.size === 0) this.worker.unref();
      settle.reject(e as Error);
    }
    return done;
  }

  // the engine sends each model once, and the worker's own host skips keys it holds
  load(key: string, model: Uint8Array): Promise<void> {
    return this.call({ op: 'load', key, model });
  }

  release(prefix: string): Promise<void> {
    return this.call({ op: 'release', prefix });
  }

  runEach(key: string, feeds: Feeds[]): Promise<Outputs> {
    return this.call({ op: 'runEach', key, feeds }, feedBuffers(feeds));
  }

  confusionEach(key: string, feeds: Feeds[], truths: Uint8Array[], geo: LabelGeometry): Promise<Float64Array> {
    // a label that is a view on a larger buffer would be cloned with its whole buffer: send its own bytes
    const own = truths.map((t) => (t.buffer instanceof SharedArrayBuffer || spansItsBuffer(t) ? t : t.slice()));
    return this.call({ op: 'confusionEach', key, feeds, truths: own, geo }, feedBuffers(feeds));
  }

  mcPasses(key: string, features: Float32Array | Uint16Array, dims: number[], sumDims: { probs: number[]; entropy: number[] }, seeds: number[], mask: DropoutMask): Promise<{ sumP: Float32Array; sumH: Float32Array }> {
    return this.call({ op: 'mcPasses', key, features, dims, sumDims, seeds, mask });
  }

  /** Let the calls in flight finish (a release fired on dispose, say), then end the thread. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.pending.values()].map((p) => p.done));
    await this.worker.terminate();
  }
}

/**
 * Buffers to transfer with a request: only feeds that own their whole buffer (a view's buffer may
 * hold the caller's other data, and structured cloning a view copies its whole buffer).
 */
function feedBuffers(feeds: Feeds[]): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const f of feeds) for (const { data } of Object.values(f)) if (!(data.buffer instanceof SharedArrayBuffer) && spansItsBuffer(data)) out.add(data.buffer as ArrayBuffer);
  return [...out];
}

/** The view covers its whole buffer (so moving or cloning the buffer carries nothing else). */
function spansItsBuffer(a: ArrayBufferView): boolean {
  return a.byteOffset === 0 && a.byteLength === a.buffer.byteLength;
}
