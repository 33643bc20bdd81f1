/**
 * Passes on onnxruntime-node's native CPU kernels (~4–8× tfjs-wasm on this net): the trunk, the
 * eval-mode prediction, region statistics, BALD's MC-dropout head passes and, when chosen, training
 * steps (training.ts). The weights are graph constants (ORT's fast convolution path), so sessions
 * are built per weight version of a model (~15–30 ms) and reused until the next update.
 *
 * With more than one thread the work is split over that many worker threads of one intra-op thread
 * each (ort-pool.ts): images in contiguous shares, joined (or, for training, summed) in image order;
 * BALD's passes in two fixed groups, summed group by group. So 1 and 2 threads give the same bits.
 */
import type * as Ort from 'onnxruntime-node';
import { mcHeadOnnxModel } from '../../env/learners/unet/onnx-mc-head.ts';
import { predictOnnxModel, trunkOnnxModel } from '../../env/learners/unet/onnx-trunk.ts';
import type { UNetParams } from '../../env/learners/unet/net.ts';
import { regionStatsOnnxModel } from '../../env/learners/unet/onnx-region-stats.ts';
import type { RegionGrid } from '../../env/regions.ts';
import { LocalSessionHost, concatOutputs, type Feeds, type Outputs, type SessionHost } from './host.ts';
import { WorkerSessionHost } from './pool.ts';

/** What the engines need of a model: its weights, image size and a counter bumped on every change. */
export interface TrunkSource {
  readonly params: UNetParams;
  readonly height: number;
  readonly width: number;
  readonly weightsVersion: number;
}

/** Contiguous shares of `n` items over `parts` workers (the first ones one larger). */
function shares(n: number, parts: number): [number, number][] {
  const out: [number, number][] = [];
  for (let k = 0, start = 0; k < parts; k++) {
    const size = Math.floor(n / parts) + (k < n % parts ? 1 : 0);
    out.push([start, start + size]);
    start += size;
  }
  return out;
}

/** BALD's passes are summed in this many groups (see mcPasses). */
const MC_GROUPS = 2;

export class OrtEngine {
  private readonly hosts: SessionHost[];
  private readonly ids = new WeakMap<TrunkSource, number>();
  /** Weight version whose sessions the hosts hold, per model id. */
  private readonly versions = new Map<number, number>();
  private readonly loaded = new Set<string>();
  private nextId = 0;

  constructor(
    ort: typeof Ort,
    /** Cores this process may use: worker threads when more than one. */
    readonly threads: number,
  ) {
    this.hosts = threads > 1 ? Array.from({ length: threads }, () => new WorkerSessionHost()) : [new LocalSessionHost(ort, 1)];
  }

  private idOf(src: TrunkSource): number {
    let id = this.ids.get(src);
    if (id === undefined) this.ids.set(src, (id = this.nextId++));
    return id;
  }

  /** Key of graph `name` for the current weights of `src`, loaded on every host (built on first use). */
  private async graph(src: TrunkSource, name: string, build: () => Uint8Array): Promise<string> {
    const id = this.idOf(src);
    if (this.versions.get(id) !== src.weightsVersion) {
      await this.forget(src);
      this.versions.set(id, src.weightsVersion);
    }
    const key = `${id}@${src.weightsVersion}/${name}`;
    if (!this.loaded.has(key)) {
      const model = build();
      await Promise.all(this.hosts.map((h) => h.load(key, model)));
      this.loaded.add(key);
    }
    return key;
  }

  /** Run graph `key` on one feed set per image, images shared over the hosts; outputs joined in image order. */
  private async eachImage(key: string, feeds: Feeds[]): Promise<Outputs> {
    const parts = await Promise.all(shares(feeds.length, this.hosts.length).filter(([a, b]) => b > a).map(([a, b], k) => this.hosts[k]!.runEach(key, feeds.slice(a, b))));
    return concatOutputs(parts);
  }

  /** One feed set per image of normalised NHWC pixels (copies: a worker takes whole buffers). */
  private imageFeeds(src: TrunkSource, pixels: Float32Array, batch: number): Feeds[] {
    const n = src.height * src.width * 3;
    return Array.from({ length: batch }, (_, b) => ({ x: { data: pixels.slice(b * n, (b + 1) * n), dims: [1, src.height, src.width, 3] } }));
  }

  /** Trunk features, NHWC [batch, H, W, F] as one Float32Array, of normalised NHWC pixels. */
  async features(src: TrunkSource, pixels: Float32Array, batch: number): Promise<Float32Array> {
    const key = await this.graph(src, 'trunk', () => trunkOnnxModel(src.params, src.height, src.width));
    return (await this.eachImage(key, this.imageFeeds(src, pixels, batch))).features as Float32Array;
  }

  /** Eval-mode predicted labels [batch·H·W] of normalised NHWC pixels: the whole net and argmax run natively. */
  async labels(src: TrunkSource, pixels: Float32Array, batch: number): Promise<Int32Array> {
    const key = await this.graph(src, 'predict', () => predictOnnxModel(src.params, src.height, src.width));
    return (await this.eachImage(key, this.imageFeeds(src, pixels, batch))).labels as Int32Array;
  }

  /**
   * Region features [batch·perImage, C+1+192] and mean entropies [batch·perImage] of normalised NHWC
   * pixels (onnx-region-stats.ts): the whole eval-mode net and the per-region statistics run natively.
   */
  async regionStats(src: TrunkSource, pixels: Float32Array, batch: number, grid: RegionGrid): Promise<{ features: Float32Array; meanEntropy: Float32Array }> {
    const key = await this.graph(src, `regionStats/${grid.regionH}x${grid.regionW}`, () => regionStatsOnnxModel(src.params, grid));
    const out = await this.eachImage(key, this.imageFeeds(src, pixels, batch));
    return { features: (out.features as Float32Array | undefined) ?? new Float32Array(0), meanEntropy: (out.meanEntropy as Float32Array | undefined) ?? new Float32Array(0) };
  }

  /**
   * BALD's MC-dropout head passes over trunk features [B, H, W, F], one per seed (tf.dropout's masks
   * for those seeds), the seeds shared over the hosts; returns the sums of probabilities [.., C] and
   * of entropies over all passes.
   */
  async mcPasses(src: TrunkSource, features: Float32Array, dims: [number, number, number, number], seeds: number[]): Promise<{ sumP: Float32Array; sumH: Float32Array }> {
    const key = await this.graph(src, 'mcHead', () => mcHeadOnnxModel(src.params, src.height, src.width));
    const { numClasses, dropoutRate } = src.params.config;
    // always two groups of passes, summed group by group and then added: the same float sums on one
    // host as on two (more hosts would change the order, so BALD uses at most two)
    const groups = shares(seeds.length, MC_GROUPS).filter(([a, b]) => b > a);
    const hosts = this.hosts.slice(0, MC_GROUPS);
    const results: { sumP: Float32Array; sumH: Float32Array }[] = [];
    // group g on host g mod hosts; a host runs its groups one after another
    await Promise.all(
      hosts.map(async (host, k) => {
        for (let g = k; g < groups.length; g += hosts.length) results[g] = await host.mcPasses(key, features, dims, numClasses, seeds.slice(...groups[g]!), dropoutRate);
      }),
    );
    const [first, ...rest] = results;
    for (const p of rest) {
      for (let i = 0; i < first!.sumP.length; i++) first!.sumP[i]! += p.sumP[i]!;
      for (let i = 0; i < first!.sumH.length; i++) first!.sumH[i]! += p.sumH[i]!;
    }
    return first!;
  }

  /**
   * Run a one-off model (a training step: its weights change every time) once per feed set, the feed
   * sets shared over the hosts, and sum every output over all runs in feed order (the same sums
   * whatever the number of threads). The sessions are released after.
   */
  async sumOverRuns(model: Uint8Array, feeds: Feeds[]): Promise<Record<string, Float32Array>> {
    const key = `once/${this.nextId++}`;
    await Promise.all(this.hosts.map((h) => h.load(key, model)));
    try {
      const joined = await this.eachImage(key, feeds);
      const sums: Record<string, Float32Array> = {};
      for (const [name, all] of Object.entries(joined)) {
        const size = all.length / feeds.length;
        const acc = (sums[name] = new Float32Array(size));
        for (let r = 0; r < feeds.length; r++) for (let i = 0, o = r * size; i < size; i++) acc[i]! += all[o + i]!;
      }
      return sums;
    } finally {
      await Promise.all(this.hosts.map((h) => h.release(key)));
    }
  }

  /** Release every session and the worker threads (the engine is being replaced). */
  async close(): Promise<void> {
    this.loaded.clear();
    this.versions.clear();
    await Promise.all(this.hosts.map((h) => h.close()));
  }

  /** Drop the sessions of a model (disposed, or its weights changed). */
  async forget(src: TrunkSource): Promise<void> {
    const id = this.ids.get(src);
    if (id === undefined) return;
    this.versions.delete(id);
    const prefix = `${id}@`;
    for (const key of [...this.loaded]) if (key.startsWith(prefix)) this.loaded.delete(key);
    await Promise.all(this.hosts.map((h) => h.release(prefix)));
  }
}
