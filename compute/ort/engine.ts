/**
 * onnxruntime-node's native CPU kernels as an engine for graphs that learners build themselves
 * (each learner supplies its ONNX graphs from its current weights; the engine knows no model).
 * Weights are graph constants (ORT's fast convolution path), so a session is built per weight
 * version of its owner and reused until the owner's `weightsVersion` changes.
 *
 * With more than one thread the work is split over that many worker threads of one intra-op thread
 * each (pool.ts): per-image feed sets in contiguous shares, joined (or, for training, summed) in
 * feed order; MC-dropout passes in two fixed groups, summed group by group. So 1 and 2 threads give
 * the same bits.
 */
import type * as Ort from 'onnxruntime-node';
import { LocalSessionHost, concatOutputs, type DropoutMask, type Feeds, type LabelGeometry, type Outputs, type SessionHost } from './host.ts';
import { WorkerSessionHost } from './pool.ts';

/** What owns a set of sessions: anything with a counter bumped on every weight change. */
export interface GraphOwner {
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

/** MC-dropout passes are summed in this many groups (see mcPasses). */
const MC_GROUPS = 2;

export class OrtEngine {
  private readonly hosts: SessionHost[];
  private readonly ids = new WeakMap<GraphOwner, number>();
  /** Weight version whose sessions the hosts hold, per owner id. */
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

  private idOf(owner: GraphOwner): number {
    let id = this.ids.get(owner);
    if (id === undefined) this.ids.set(owner, (id = this.nextId++));
    return id;
  }

  /** Key of graph `name` for the current weights of `owner`, loaded on every host (built on first use). */
  async graph(owner: GraphOwner, name: string, build: () => Uint8Array): Promise<string> {
    const id = this.idOf(owner);
    if (this.versions.get(id) !== owner.weightsVersion) {
      await this.forget(owner);
      this.versions.set(id, owner.weightsVersion);
    }
    const key = `${id}@${owner.weightsVersion}/${name}`;
    if (!this.loaded.has(key)) {
      const model = build();
      await Promise.all(this.hosts.map((h) => h.load(key, model)));
      this.loaded.add(key);
    }
    return key;
  }

  /** Run graph `key` once per feed set (one per image), the sets shared over the hosts; outputs joined in feed order. */
  async eachImage(key: string, feeds: Feeds[]): Promise<Outputs> {
    return concatOutputs(await this.onShares(feeds.length, (host, a, b) => host.runEach(key, feeds.slice(a, b))));
  }

  /** `run` on each host with its contiguous share [a, b) of `n` items (empty shares skipped); results in share order. */
  private onShares<T>(n: number, run: (host: SessionHost, a: number, b: number) => Promise<T>): Promise<T[]> {
    return Promise.all(shares(n, this.hosts.length).filter(([a, b]) => b > a).map(([a, b], k) => run(this.hosts[k]!, a, b)));
  }

  /**
   * Confusion counts [C·C] of graph `key`'s upsampled labels (output `logits`) against `truths`, one
   * feed set per image, the images shared over the hosts (each counts its own; integer counts add
   * exactly, so any split gives the same matrix).
   */
  async confusionEach(key: string, feeds: Feeds[], truths: Uint8Array[], geo: LabelGeometry): Promise<Float64Array> {
    const parts = await this.onShares(feeds.length, (host, a, b) => host.confusionEach(key, feeds.slice(a, b), truths.slice(a, b), geo));
    const sum = new Float64Array(geo.classes * geo.classes);
    for (const p of parts) for (let i = 0; i < sum.length; i++) sum[i]! += p[i]!;
    return sum;
  }

  /**
   * MC-dropout passes of graph `key` (inputs features, multiplier, sumP, sumH; outputs sumP_out,
   * sumH_out) over `features` [B, …, F], one pass per seed with the dropout multipliers
   * dropout-masks.ts makes for that seed and `mask`; the seeds shared over the hosts. Returns the
   * sums of probabilities and of entropies over all passes.
   */
  async mcPasses(key: string, features: Float32Array | Uint16Array, dims: number[], sumDims: { probs: number[]; entropy: number[] }, seeds: number[], mask: DropoutMask): Promise<{ sumP: Float32Array; sumH: Float32Array }> {
    // always two groups of passes, summed group by group and then added: the same float sums on one
    // host as on two (more hosts would change the order, so MC passes use at most two)
    const groups = shares(seeds.length, MC_GROUPS).filter(([a, b]) => b > a);
    const hosts = this.hosts.slice(0, MC_GROUPS);
    const results: { sumP: Float32Array; sumH: Float32Array }[] = [];
    // group g on host g mod hosts; a host runs its groups one after another
    await Promise.all(
      hosts.map(async (host, k) => {
        for (let g = k; g < groups.length; g += hosts.length) results[g] = await host.mcPasses(key, features, dims, sumDims, seeds.slice(...groups[g]!), mask);
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
      return await this.sumEach(key, feeds);
    } finally {
      await Promise.all(this.hosts.map((h) => h.release(key)));
    }
  }

  /** Run the loaded graph `key` once per feed set and sum every output over the runs in feed order (the same sums whatever the number of threads). */
  async sumEach(key: string, feeds: Feeds[]): Promise<Record<string, Float32Array>> {
    const joined = await this.eachImage(key, feeds);
    const sums: Record<string, Float32Array> = {};
    for (const [name, all] of Object.entries(joined)) {
      const size = all.length / feeds.length;
      const acc = (sums[name] = new Float32Array(size));
      for (let r = 0; r < feeds.length; r++) for (let i = 0, o = r * size; i < size; i++) acc[i]! += all[o + i]!;
    }
    return sums;
  }

  /** Release every session and the worker threads (the engine is being replaced). */
  async close(): Promise<void> {
    this.loaded.clear();
    this.versions.clear();
    await Promise.all(this.hosts.map((h) => h.close()));
  }

  /** Drop the sessions of an owner (disposed, or its weights changed). */
  async forget(owner: GraphOwner): Promise<void> {
    const id = this.ids.get(owner);
    if (id === undefined) return;
    this.versions.delete(id);
    const prefix = `${id}@`;
    for (const key of [...this.loaded]) if (key.startsWith(prefix)) this.loaded.delete(key);
    await Promise.all(this.hosts.map((h) => h.release(prefix)));
  }
}
