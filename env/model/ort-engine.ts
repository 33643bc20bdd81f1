/**
 * Forward-only passes on onnxruntime-node's native CPU kernels (multi-threaded, ~4–8× tfjs-wasm on
 * this net): the trunk, and BALD's accumulating MC-dropout head passes. Sessions are built per
 * weight version of a model: the weights are graph constants (ORT's fast convolution path), so new
 * sessions are built after every weight update (~15 ms) and reused until the next one. Training
 * runs here only when chosen (training.ts, ort-gradients.ts).
 */
import type * as Ort from 'onnxruntime-node';
import { mcHeadOnnxModel } from './onnx-mc-head.ts';
import { predictOnnxModel, trunkOnnxModel } from './onnx-trunk.ts';
import type { UNetParams } from './unet.ts';

/** What the engines need of a model: its weights, image size and a counter bumped on every change. */
export interface TrunkSource {
  readonly params: UNetParams;
  readonly height: number;
  readonly width: number;
  readonly weightsVersion: number;
}

type GraphKind = 'trunk' | 'predict' | 'mcHead';
const GRAPHS: Record<GraphKind, (p: UNetParams, h: number, w: number) => Uint8Array> = { trunk: trunkOnnxModel, predict: predictOnnxModel, mcHead: mcHeadOnnxModel };

interface CachedSessions {
  version: number;
  sessions: Partial<Record<GraphKind, Promise<Ort.InferenceSession>>>;
}

export class OrtEngine {
  private readonly cache = new Map<TrunkSource, CachedSessions>();

  constructor(
    private readonly ort: typeof Ort,
    /** ORT intra-op threads: the cores this process may use. */
    readonly threads: number,
  ) {}

  private session(src: TrunkSource, kind: GraphKind): Promise<Ort.InferenceSession> {
    let entry = this.cache.get(src);
    if (entry && entry.version !== src.weightsVersion) {
      this.forget(src);
      entry = undefined;
    }
    if (!entry) {
      entry = { version: src.weightsVersion, sessions: {} };
      this.cache.set(src, entry);
    }
    entry.sessions[kind] ??= this.createSession(GRAPHS[kind](src.params, src.height, src.width));
    return entry.sessions[kind]!;
  }

  /** A session of a serialised model on this engine's threads (the caller releases it). */
  createSession(model: Uint8Array): Promise<Ort.InferenceSession> {
    return this.ort.InferenceSession.create(model, {
      executionProviders: ['cpu'],
      graphOptimizationLevel: 'all',
      intraOpNumThreads: this.threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      logSeverityLevel: 3,
    });
  }

  /** A float32 tensor over `data` (not copied). */
  tensor(data: Float32Array, dims: number[]): Ort.Tensor {
    return new this.ort.Tensor('float32', data, dims);
  }

  /**
   * Run a one-input graph on each image of normalised NHWC pixels, handing every output to `take`.
   * One image per run: measured fastest (the working set of one 144×192 image stays in cache).
   */
  private async perImage(src: TrunkSource, kind: GraphKind, pixels: Float32Array, batch: number, take: (out: Ort.Tensor, image: number) => void): Promise<void> {
    const session = await this.session(src, kind);
    const n = src.height * src.width * 3;
    for (let b = 0; b < batch; b++) {
      const x = new this.ort.Tensor('float32', pixels.subarray(b * n, (b + 1) * n), [1, src.height, src.width, 3]);
      const out = (await session.run({ x }))[session.outputNames[0]!]!;
      take(out, b);
      out.dispose();
    }
  }

  /** Trunk features, NHWC [batch, H, W, F] as one Float32Array, of normalised NHWC pixels. */
  async features(src: TrunkSource, pixels: Float32Array, batch: number): Promise<Float32Array> {
    const size = src.height * src.width * src.params.config.widths[0]!;
    const out = new Float32Array(batch * size);
    await this.perImage(src, 'trunk', pixels, batch, (t, b) => out.set(t.data as Float32Array, b * size));
    return out;
  }

  /** Eval-mode predicted labels [batch·H·W] of normalised NHWC pixels: the whole net and argmax run natively. */
  async labels(src: TrunkSource, pixels: Float32Array, batch: number): Promise<Int32Array> {
    const size = src.height * src.width;
    const out = new Int32Array(batch * size);
    await this.perImage(src, 'predict', pixels, batch, (t, b) => out.set(t.data as Int32Array, b * size));
    return out;
  }

  /**
   * One MC-dropout pass of the head over trunk features [batch, H, W, F] with the given dropout
   * multiplier (same shape), returning the running sums of probabilities [.., C] and entropies.
   */
  async mcPass(src: TrunkSource, features: Float32Array, multiplier: Float32Array, sumP: Float32Array, sumH: Float32Array, batch: number): Promise<{ sumP: Float32Array; sumH: Float32Array }> {
    const session = await this.session(src, 'mcHead');
    const { height: H, width: W } = src;
    const F = src.params.config.widths[0]!;
    const C = src.params.config.numClasses;
    const t = (data: Float32Array, dims: number[]) => this.tensor(data, dims);
    const out = await session.run({ features: t(features, [batch, H, W, F]), multiplier: t(multiplier, [batch, H, W, F]), sumP: t(sumP, [batch, H, W, C]), sumH: t(sumH, [batch, H, W]) });
    return { sumP: out.sumP_out!.data as Float32Array, sumH: out.sumH_out!.data as Float32Array };
  }

  /** Release every session (the engine is being replaced). */
  releaseAll(): void {
    for (const src of [...this.cache.keys()]) this.forget(src);
  }

  /** Drop the sessions of a model (disposed, or its weights changed). */
  forget(src: TrunkSource): void {
    const entry = this.cache.get(src);
    if (!entry) return;
    this.cache.delete(src);
    for (const s of Object.values(entry.sessions)) void s.then((session) => session.release());
  }
}
