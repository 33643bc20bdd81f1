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
import { regionStatsOnnxModel } from './onnx-region-stats.ts';
import { stateFeatureSize } from '../features.ts';
import type { RegionGrid } from '../regions.ts';

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
  /** By graph: a kind, or a kind with its parameters (e.g. the region grid). */
  sessions: Map<string, Promise<Ort.InferenceSession>>;
}

export class OrtEngine {
  private readonly cache = new Map<TrunkSource, CachedSessions>();

  constructor(
    private readonly ort: typeof Ort,
    /** ORT intra-op threads: the cores this process may use. */
    readonly threads: number,
  ) {}

  /** The session of graph `key` for the current weights of `src`, built by `build` on first use. */
  private session(src: TrunkSource, key: string, build: () => Uint8Array): Promise<Ort.InferenceSession> {
    let entry = this.cache.get(src);
    if (entry && entry.version !== src.weightsVersion) {
      this.forget(src);
      entry = undefined;
    }
    if (!entry) {
      entry = { version: src.weightsVersion, sessions: new Map() };
      this.cache.set(src, entry);
    }
    let session = entry.sessions.get(key);
    if (!session) {
      session = this.createSession(build());
      entry.sessions.set(key, session);
    }
    return session;
  }

  private graph(src: TrunkSource, kind: GraphKind): Promise<Ort.InferenceSession> {
    return this.session(src, kind, () => GRAPHS[kind](src.params, src.height, src.width));
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
  private async perImage(src: TrunkSource, session: Promise<Ort.InferenceSession>, pixels: Float32Array, batch: number, take: (out: Ort.InferenceSession.OnnxValueMapType, image: number) => void): Promise<void> {
    const s = await session;
    const n = src.height * src.width * 3;
    for (let b = 0; b < batch; b++) {
      const out = await s.run({ x: this.tensor(pixels.subarray(b * n, (b + 1) * n), [1, src.height, src.width, 3]) });
      take(out, b);
      for (const t of Object.values(out)) t.dispose();
    }
  }

  /** Trunk features, NHWC [batch, H, W, F] as one Float32Array, of normalised NHWC pixels. */
  async features(src: TrunkSource, pixels: Float32Array, batch: number): Promise<Float32Array> {
    const size = src.height * src.width * src.params.config.widths[0]!;
    const out = new Float32Array(batch * size);
    await this.perImage(src, this.graph(src, 'trunk'), pixels, batch, (o, b) => out.set(o.features!.data as Float32Array, b * size));
    return out;
  }

  /** Eval-mode predicted labels [batch·H·W] of normalised NHWC pixels: the whole net and argmax run natively. */
  async labels(src: TrunkSource, pixels: Float32Array, batch: number): Promise<Int32Array> {
    const size = src.height * src.width;
    const out = new Int32Array(batch * size);
    await this.perImage(src, this.graph(src, 'predict'), pixels, batch, (o, b) => out.set(o.labels!.data as Int32Array, b * size));
    return out;
  }

  /**
   * Region features [batch·perImage, C+1+192] and mean entropies [batch·perImage] of normalised NHWC
   * pixels (onnx-region-stats.ts): the whole eval-mode net and the per-region statistics run natively.
   */
  async regionStats(src: TrunkSource, pixels: Float32Array, batch: number, grid: RegionGrid): Promise<{ features: Float32Array; meanEntropy: Float32Array }> {
    const key = `regionStats/${grid.regionH}x${grid.regionW}`;
    const size = stateFeatureSize(src.params.config.numClasses);
    const features = new Float32Array(batch * grid.perImage * size);
    const meanEntropy = new Float32Array(batch * grid.perImage);
    await this.perImage(src, this.session(src, key, () => regionStatsOnnxModel(src.params, grid)), pixels, batch, (o, b) => {
      features.set(o.features!.data as Float32Array, b * grid.perImage * size);
      meanEntropy.set(o.meanEntropy!.data as Float32Array, b * grid.perImage);
    });
    return { features, meanEntropy };
  }

  /**
   * One MC-dropout pass of the head over trunk features [batch, H, W, F] with the given dropout
   * multiplier (same shape), returning the running sums of probabilities [.., C] and entropies.
   */
  async mcPass(src: TrunkSource, features: Float32Array, multiplier: Float32Array, sumP: Float32Array, sumH: Float32Array, batch: number): Promise<{ sumP: Float32Array; sumH: Float32Array }> {
    const session = await this.graph(src, 'mcHead');
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
    for (const s of entry.sessions.values()) void s.then((session) => session.release());
  }
}
