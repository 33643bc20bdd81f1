/**
 * The trunk on onnxruntime-node's native CPU kernels (multi-threaded, ~4–8× tfjs-wasm on this net).
 * One inference session per weight version of a model: the weights are graph constants (ORT's fast
 * convolution path), so a new session is built after every weight update (~15 ms) and reused until
 * the next one. Only forward passes run here; training stays in tfjs.
 */
import type * as Ort from 'onnxruntime-node';
import { trunkOnnxModel } from './onnx-trunk.ts';
import type { UNetParams } from './unet.ts';

/** What the engines need of a model: its weights, image size and a counter bumped on every change. */
export interface TrunkSource {
  readonly params: UNetParams;
  readonly height: number;
  readonly width: number;
  readonly weightsVersion: number;
}

interface CachedSession {
  version: number;
  session: Promise<Ort.InferenceSession>;
}

export class OrtTrunk {
  private readonly sessions = new Map<TrunkSource, CachedSession>();

  constructor(
    private readonly ort: typeof Ort,
    /** ORT intra-op threads: the cores this process may use. */
    readonly threads: number,
  ) {}

  private session(src: TrunkSource): Promise<Ort.InferenceSession> {
    const cached = this.sessions.get(src);
    if (cached && cached.version === src.weightsVersion) return cached.session;
    if (cached) void cached.session.then((s) => s.release());
    const bytes = trunkOnnxModel(src.params, src.height, src.width);
    const session = this.ort.InferenceSession.create(bytes, {
      executionProviders: ['cpu'],
      graphOptimizationLevel: 'all',
      intraOpNumThreads: this.threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      logSeverityLevel: 3,
    });
    this.sessions.set(src, { version: src.weightsVersion, session });
    return session;
  }

  /**
   * Trunk features, NHWC [batch, H, W, F] as one Float32Array, of normalised NHWC pixels. One image
   * per run: measured fastest (the working set of one 144×192 image stays in cache).
   */
  async features(src: TrunkSource, pixels: Float32Array, batch: number): Promise<Float32Array> {
    const session = await this.session(src);
    const { height: H, width: W } = src;
    const F = src.params.config.widths[0]!;
    const out = new Float32Array(batch * H * W * F);
    for (let b = 0; b < batch; b++) {
      const x = new this.ort.Tensor('float32', pixels.subarray(b * H * W * 3, (b + 1) * H * W * 3), [1, H, W, 3]);
      const { features } = await session.run({ x });
      out.set(features!.data as Float32Array, b * H * W * F);
      features!.dispose();
    }
    return out;
  }

  /** Release every session (the engine is being replaced). */
  releaseAll(): void {
    for (const src of [...this.sessions.keys()]) this.forget(src);
  }

  /** Drop the session of a model that is being disposed. */
  forget(src: TrunkSource): void {
    const cached = this.sessions.get(src);
    if (!cached) return;
    this.sessions.delete(src);
    void cached.session.then((s) => s.release());
  }
}
