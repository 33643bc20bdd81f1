/**
 * onnxruntime sessions and the runs the engine needs of them, in whichever thread holds them: the
 * process's own thread, or one of the engine's worker threads (ort-worker.ts). Everything that
 * crosses a thread is plain typed arrays, so the same code serves both.
 */
import { StagingCopies } from './staging.ts';
import type * as Ort from 'onnxruntime-node';
import { dropoutMultiplier } from './dropout-masks.ts';
import { upsampledArgmax } from '../upsampled-argmax.ts';

export type Float = Float32Array;
/**
 * One run's inputs: name → data and dims. Float32Array is float32, Uint16Array float16 bit patterns,
 * Int32Array int32. Views on a SharedArrayBuffer cross threads without a copy (onnxruntime then gets
 * a private copy of just the view).
 */
export type Feeds = Record<string, { data: Float32Array | Uint16Array | Int32Array; dims: number[] }>;

/**
 * A copy of `a` in shared memory, for a feed that several runs read (or one read again later): a plain
 * buffer is moved to the first worker thread that runs it and is empty after.
 */
export function sharedCopy(a: Float32Array): Float32Array {
  const out = new Float32Array(new SharedArrayBuffer(a.byteLength));
  out.set(a);
  return out;
}

/** An onnxruntime tensor of a feed in memory it owns (its type from the array's; shared memory goes through StagingCopies first). */
export function ortTensor(ort: typeof Ort, data: Float32Array | Uint16Array | Int32Array, dims: readonly number[]): Ort.Tensor {
  const type = data instanceof Float32Array ? 'float32' : data instanceof Uint16Array ? 'float16' : 'int32';
  return new ort.Tensor(type, data as never, dims);
}
/** Outputs by name: float32, or int32 for labels. */
export type Outputs = Record<string, Float32Array | Int32Array>;

/**
 * The dropout multipliers of one MC pass: `dropoutMultiplier(seed, count, rate)` shaped `dims`
 * (the whole features tensor for element-wise dropout, or [F] for one mask over channels).
 */
export interface DropoutMask {
  readonly dims: number[];
  readonly rate: number;
}

/**
 * How a graph's grid logits become labels (compute/upsampled-argmax.ts): output `logits` [1, gh·gw, C]
 * upsampled bilinearly (half-pixel) to H×W.
 */
export interface LabelGeometry {
  readonly gh: number;
  readonly gw: number;
  readonly classes: number;
  readonly height: number;
  readonly width: number;
}

/** What an engine asks of a host; every call may cross a thread, so all are async. */
export interface SessionHost {
  /** Create session `key` from a serialised model, unless the host has it. */
  load(key: string, model: Uint8Array): Promise<void>;
  /** Release every session whose key starts with `prefix`. */
  release(prefix: string): Promise<void>;
  /** Run `key` once per feed set; each output concatenated in feed order. */
  runEach(key: string, feeds: Feeds[]): Promise<Outputs>;
  /**
   * MC-dropout passes of an accumulating graph (inputs features, multiplier, sumP, sumH; outputs
   * sumP_out, sumH_out), one per seed, with the multipliers made here; returns the sums after the last pass.
   */
  mcPasses(key: string, features: Float32Array | Uint16Array, dims: number[], sumDims: { probs: number[]; entropy: number[] }, seeds: number[], mask: DropoutMask): Promise<{ sumP: Float32Array; sumH: Float32Array }>;
  /**
   * Run `key` (output `logits`) once per feed set and count its upsampled labels against `truths[i]`
   * (labels ≥ C not counted) into one confusion matrix [C·C] (truth-major): only counts cross threads.
   */
  confusionEach(key: string, feeds: Feeds[], truths: Uint8Array[], geo: LabelGeometry): Promise<Float64Array>;
  /** Free the host's thread (workers terminate). */
  close(): Promise<void>;
}

export function sessionOptions(threads: number): Ort.InferenceSession.SessionOptions {
  return { executionProviders: ['cpu'], graphOptimizationLevel: 'all', intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential', logSeverityLevel: 3 };
}

/** Sessions held in the calling thread. */
export class LocalSessionHost implements SessionHost {
  private readonly sessions = new Map<string, Promise<Ort.InferenceSession>>();
  private readonly staging = new StagingCopies();

  constructor(
    private readonly ort: typeof Ort,
    private readonly threads: number,
  ) {}

  async load(key: string, model: Uint8Array): Promise<void> {
    let session = this.sessions.get(key);
    if (!session) {
      session = this.ort.InferenceSession.create(model, sessionOptions(this.threads));
      this.sessions.set(key, session);
      session.catch(() => this.sessions.delete(key)); // a failed load is retried by the next one
    }
    await session;
  }

  async release(prefix: string): Promise<void> {
    for (const [key, s] of [...this.sessions]) {
      if (!key.startsWith(prefix)) continue;
      this.sessions.delete(key);
      await (await s).release();
    }
  }

  private session(key: string): Promise<Ort.InferenceSession> {
    const s = this.sessions.get(key);
    if (!s) throw new Error(`no session '${key}' on this host (load it first)`);
    return s;
  }

  /** One run of `feeds`, shared-memory feeds staged in reused copies (staging.ts). */
  private async run(s: Ort.InferenceSession, feeds: Feeds): Promise<Ort.InferenceSession.OnnxValueMapType> {
    const taken: (Float32Array | Uint16Array | Int32Array)[] = [];
    try {
      return await s.run(Object.fromEntries(Object.entries(feeds).map(([name, f]) => [name, ortTensor(this.ort, this.staging.own(f.data, taken), f.dims)])));
    } finally {
      this.staging.release(taken);
    }
  }

  async runEach(key: string, feeds: Feeds[]): Promise<Outputs> {
    const s = await this.session(key);
    const parts: Outputs[] = [];
    for (const f of feeds) {
      const out = await this.run(s, f);
      parts.push(Object.fromEntries(Object.entries(out).map(([name, t]) => [name, t.data as Float32Array | Int32Array])));
    }
    return concatOutputs(parts);
  }

  async confusionEach(key: string, feeds: Feeds[], truths: Uint8Array[], geo: LabelGeometry): Promise<Float64Array> {
    const s = await this.session(key);
    const counts = new Float64Array(geo.classes * geo.classes);
    for (let i = 0; i < feeds.length; i++) {
      const logits = (await this.run(s, feeds[i]!)).logits!.data as Float32Array;
      upsampledArgmax(logits, geo.gh, geo.gw, geo.classes, geo.height, geo.width, { counts, truth: truths[i]! });
    }
    return counts;
  }

  async mcPasses(key: string, features: Float32Array | Uint16Array, dims: number[], sumDims: { probs: number[]; entropy: number[] }, seeds: number[], mask: DropoutMask): Promise<{ sumP: Float32Array; sumH: Float32Array }> {
    const s = await this.session(key);
    const size = (d: number[]) => d.reduce((a, b) => a * b, 1);
    let sumP: Float32Array = new Float32Array(size(sumDims.probs));
    let sumH: Float32Array = new Float32Array(size(sumDims.entropy));
    const t = (data: Float32Array | Uint16Array, d: number[]) => ortTensor(this.ort, data, d);
    const taken: (Float32Array | Uint16Array | Int32Array)[] = [];
    try {
      const f = t(this.staging.own(features, taken) as Float32Array | Uint16Array, dims);
      for (const seed of seeds) {
        const multiplier = dropoutMultiplier(seed, size(mask.dims), mask.rate);
        const out = await s.run({ features: f, multiplier: t(multiplier, mask.dims), sumP: t(sumP, sumDims.probs), sumH: t(sumH, sumDims.entropy) });
        sumP = out.sumP_out!.data as Float32Array;
        sumH = out.sumH_out!.data as Float32Array;
      }
      return { sumP, sumH };
    } finally {
      this.staging.release(taken);
    }
  }

  async close(): Promise<void> {
    await this.release('');
  }
}

/** Per output name, the parts' arrays end to end. */
export function concatOutputs(parts: Outputs[]): Outputs {
  const out: Outputs = {};
  if (parts.length === 0) return out;
  for (const name of Object.keys(parts[0]!)) {
    const arrays = parts.map((p) => p[name]!);
    const total = arrays.reduce((n, a) => n + a.length, 0);
    const joined = arrays[0] instanceof Int32Array ? new Int32Array(total) : new Float32Array(total);
    let offset = 0;
    for (const a of arrays) {
      joined.set(a, offset);
      offset += a.length;
    }
    out[name] = joined;
  }
  return out;
}
