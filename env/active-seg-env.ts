/**
 * ActiveSegEnv: region-based active learning for segmentation as an MDP (docs/method.md §2–4, §6.1).
 *
 * reset → the segmentation net starts from the initial weights, nothing is labelled, candidates are
 * drawn. step(action) → label one candidate per pool, train the net on the labelled regions, measure
 * mIoU on the reward set; reward = 100·(mIoU_after − mIoU_before). The contract (seeding, ownership,
 * termination) is in env/core/env.ts and active-seg-types.ts; the options in active-seg-config.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { Subject, type Observable } from 'rxjs';
import type { Env, EnvSpec, ResetOptions, StepResult } from './core/env.ts';
import { ConcurrentCallError, ConfigError, InvalidActionError, ResetNeededError } from '../core/errors.ts';
import { Rng } from '../core/rng.ts';
import { Box, DictSpace, MultiBinary, MultiDiscrete } from './core/spaces.ts';
import { getSplit, type SegSample } from './data/dataset.ts';
import type { SegLearner, TrainItem } from './learners/learner.ts';
import { createLearner } from './learners/registry.ts';
import { confusionOf } from './learners/evaluate.ts';
import { segMetrics, type SegMetrics } from './metrics.ts';
import { actionFeatureSize, stateFeatureSize } from './features.ts';
import { LabeledRegions, makeGrid, regionClassDistribution, splitRegionId, trainingMask, type RegionGrid } from './regions.ts';
import { regionItems } from './labelled-set.ts';
import { arrangePools, sampleCandidateImages, sampleCandidateRegions } from './candidates.ts';
import { disposeOutputs, imagePoolFeatures, imagesOf, maskOf, poolFeatures, regionOutputs, stateFeatures, type SlotScores } from './observation.ts';
import { regionScore } from './scores/registry.ts';
import type { RegionScore } from './scores/score.ts';
import { resolveConfig, type ActiveSegConfig, type ActiveSegOptions } from './active-seg-config.ts';
import type { ActiveSegEvent, ActiveSegInfo, ActiveSegObs, CandidateStats } from './active-seg-types.ts';

/** Everything that belongs to one episode; replaced wholesale by reset. */
interface Episode {
  readonly model: SegLearner;
  readonly labeled: LabeledRegions;
  readonly poolRng: Rng;
  readonly trainRng: Rng;
  /** Seeds of the MC-dropout passes (the 'bald' stream since BALD was its first user). */
  readonly mcRng: Rng;
  /** Ground-truth class distributions of labelled regions, flat [L·(C+1)] (the KL-to-labeled reference). */
  labeledDist: number[];
  readonly labeledHist: Float64Array;
  /** Training target per pool image that has labelled regions. */
  readonly masks: Map<number, Uint8Array>;
  step: number;
  prevMIoU: number;
  metrics: SegMetrics;
  slots: Int32Array;
  stats: SlotScores;
  labeledStats: Map<string, Float32Array>;
  /** Rows of labelled regions' embedding scores by `name|regionId` (kept only for fixed embeddings). */
  readonly embeddingRows: Map<string, Float32Array>;
  obs: ActiveSegObs;
  newIds: Int32Array;
  done: boolean;
}

export class ActiveSegEnv implements Env<ActiveSegObs, Int32Array, ActiveSegInfo> {
  readonly config: ActiveSegConfig;
  readonly grid: RegionGrid;
  readonly observationSpace: DictSpace<ActiveSegObs>;
  readonly actionSpace: MultiDiscrete;
  readonly metadata = { renderModes: [] as const };
  readonly spec: EnvSpec;
  readonly events$: Observable<ActiveSegEvent>;

  private readonly events = new Subject<ActiveSegEvent>();
  private readonly poolImages: readonly SegSample[];
  private readonly stateImages: readonly SegSample[];
  private readonly rewardImages: readonly SegSample[];
  private readonly scores: readonly RegionScore[];
  /** Pools per step: K in region mode, ⌊K / regionsPerImage⌋ (at least 1) in image mode. */
  private readonly pools: number;
  private seedStream: Rng;
  private episode: Episode | null = null;
  private closed = false;
  /** The call in flight (reset or step), so a second one is refused instead of interleaving. */
  private busy: string | null = null;

  constructor(options: ActiveSegOptions, spec?: Partial<EnvSpec>) {
    this.config = resolveConfig(options);
    const { data, poolsPerStep: K, poolSize: N } = this.config;
    this.grid = makeGrid(data.height, data.width, this.config.regionHeight, this.config.regionWidth);
    this.poolImages = getSplit(data, this.config.poolSplit);
    this.stateImages = getSplit(data, this.config.stateSplit);
    this.rewardImages = getSplit(data, this.config.rewardSplit);
    const poolRegions = this.poolImages.length * this.grid.perImage;
    if (K > poolRegions) throw new ConfigError(`poolsPerStep = ${K} is more than the ${poolRegions} regions of the pool split '${this.config.poolSplit}' (${this.poolImages.length} images × ${this.grid.perImage})`);
    this.scores = [...new Set(['entropy', ...this.config.statistics])].map((name) => regionScore(name));
    this.seedStream = new Rng(this.config.seed);
    this.events$ = this.events.asObservable();
    this.pools = this.config.labelUnit === 'image' ? Math.max(1, Math.floor(K / this.grid.perImage)) : K;
    const perStep = this.config.labelUnit === 'image' ? this.pools * this.grid.perImage : K;
    this.spec = { id: spec?.id ?? 'ActiveSeg-v0', nondeterministic: spec?.nondeterministic ?? false, maxEpisodeSteps: Math.ceil(this.config.budgetRegions / perStep) };

    const C = data.numClasses;
    const maxEntropy = Math.log(C) * (1 + 1e-5) + 1e-6;
    const regionFeatureHigh = new Float32Array(stateFeatureSize(C));
    regionFeatureHigh.fill(this.grid.regionH * this.grid.regionW, 0, C + 1);
    regionFeatureHigh.fill(maxEntropy, C + 1);
    const actionHigh = new Float32Array(actionFeatureSize(C)).fill(1 + 1e-6);
    actionHigh.set(regionFeatureHigh);
    this.observationSpace = new DictSpace<ActiveSegObs>({
      state: new Box<tf.Tensor2D>([this.stateImages.length * this.grid.perImage, stateFeatureSize(C)], 0, regionFeatureHigh),
      pools: new Box<tf.Tensor3D>([this.pools, N, actionFeatureSize(C)], 0, actionHigh),
      actionMask: new MultiBinary(this.pools * N),
    });
    this.actionSpace = new MultiDiscrete(Array.from({ length: this.pools }, () => N));
  }

  /** Pool-split images, in region-id order (region id = index · regionsPerImage + region). */
  get pool(): readonly SegSample[] {
    return this.poolImages;
  }

  /** Labelled region ids so far (for tests and tools; agents read `info`). */
  get labeledRegionIds(): readonly number[] {
    return this.episode?.labeled.ids() ?? [];
  }

  /** Training target of pool image `image`: ground truth in its labelled regions, ignore elsewhere. */
  labelMask(image: number): Uint8Array {
    const mask = this.episode?.masks.get(image);
    return mask ? mask.slice() : new Uint8Array(this.grid.imageH * this.grid.imageW).fill(this.config.data.ignoreIndex);
  }

  /** The episode's segmentation learner (benchmarks use it for final training; agents must not). */
  get model(): SegLearner | null {
    return this.episode?.model ?? null;
  }

  async reset(opts: ResetOptions = {}): Promise<[ActiveSegObs, ActiveSegInfo]> {
    return this.exclusive('reset', () => this.doReset(opts));
  }

  async step(action: Int32Array): Promise<StepResult<ActiveSegObs, ActiveSegInfo>> {
    return this.exclusive('step', () => this.doStep(action));
  }

  /** Run one call at a time: a call while another is in flight throws and changes nothing. */
  private async exclusive<T>(name: string, fn: () => Promise<T>): Promise<T> {
    if (this.busy) throw new ConcurrentCallError(`${name}() while ${this.busy}() is still running: await each call before the next`);
    this.busy = name;
    try {
      return await fn();
    } finally {
      this.busy = null;
    }
  }

  private async doReset(opts: ResetOptions): Promise<[ActiveSegObs, ActiveSegInfo]> {
    this.assertOpen();
    const t0 = performance.now();
    if (opts.seed !== undefined) this.seedStream = new Rng(opts.seed);
    const episodeSeed = this.seedStream.nextUint32();
    const rng = new Rng(episodeSeed);
    const cfg = this.config;
    this.disposeEpisode();
    const model = cfg.initialModel ? cfg.initialModel.clone(cfg.loop ?? {}) : await createLearner(cfg.model, { data: cfg.data, train: { ...cfg.seg, ...cfg.loop }, cacheDir: cfg.learnerCacheDir }, rng.fork('init'));
    const metrics = segMetrics(await confusionOf(model, this.rewardImages, cfg.inferenceBatch));
    const ep: Episode = {
      model,
      labeled: new LabeledRegions(this.grid, this.poolImages.length),
      poolRng: rng.fork('pools'),
      trainRng: rng.fork('train'),
      mcRng: rng.fork('bald'),
      labeledDist: [],
      labeledHist: new Float64Array(cfg.data.numClasses + 1),
      masks: new Map(),
      step: 0,
      prevMIoU: cfg.firstRewardAgainstZero ? 0 : metrics.mIoU,
      metrics,
      slots: new Int32Array(0),
      stats: new Map(),
      labeledStats: new Map(),
      embeddingRows: new Map(),
      obs: null as unknown as ActiveSegObs,
      newIds: new Int32Array(0),
      done: false,
    };
    this.episode = ep;
    await this.observe(ep);
    this.events.next({ type: 'reset', episodeSeed, rewardMIoU: metrics.mIoU, ms: performance.now() - t0 });
    return [ep.obs, this.info(ep)];
  }

  private async doStep(action: Int32Array): Promise<StepResult<ActiveSegObs, ActiveSegInfo>> {
    this.assertOpen();
    const ep = this.episode;
    if (!ep) throw new ResetNeededError('step() before reset(): call reset() first');
    if (ep.done) throw new ResetNeededError(`the episode ended after step ${ep.step}: call reset() before stepping again`);
    this.validate(action, ep);
    const cfg = this.config;

    // 1. label one candidate per pool (a region, or an image's remaining regions) until the budget is spent
    const newIds: number[] = [];
    for (let k = 0; k < this.pools && ep.labeled.size < cfg.budgetRegions; k++) {
      const slot = ep.slots[k * cfg.poolSize + action[k]!]!;
      if (slot < 0) continue;
      for (const id of this.regionsOfSlot(ep, slot)) {
        if (ep.labeled.size >= cfg.budgetRegions) break;
        this.label(ep, id);
        newIds.push(id);
      }
    }
    ep.newIds = Int32Array.from(newIds);
    ep.step += 1;

    // 2. train the segmentation net on the labelled regions
    const tTrain = performance.now();
    const items = this.trainItems(ep, cfg.trainOn === 'new' ? newIds : ep.labeled.ids());
    for (let e = 0; e < cfg.epochsPerStep && items.length > 0; e++) {
      const te = performance.now();
      const loss = await ep.model.trainEpoch(items, ep.trainRng);
      this.events.next({ type: 'train', step: ep.step, epoch: e + 1, loss, items: items.length, ms: performance.now() - te });
    }
    const trainMs = performance.now() - tTrain;

    // 3. reward = gain in reward-set mIoU
    const tEval = performance.now();
    ep.metrics = segMetrics(await confusionOf(ep.model, this.rewardImages, cfg.inferenceBatch));
    const evalMs = performance.now() - tEval;
    this.events.next({ type: 'eval', step: ep.step, mIoU: ep.metrics.mIoU, ms: evalMs });
    const reward = 100 * (ep.metrics.mIoU - ep.prevMIoU);
    ep.prevMIoU = ep.metrics.mIoU;

    const terminated = ep.labeled.size >= cfg.budgetRegions;
    const truncated = !terminated && !this.anyUnlabeled(ep);
    ep.done = terminated || truncated;

    // 4. next observation (Gymnasium returns one at the end too)
    const tFeat = performance.now();
    await this.observe(ep);
    const featuresMs = performance.now() - tFeat;
    this.events.next({ type: 'step', step: ep.step, reward, usedRegions: ep.labeled.size, budgetRegions: cfg.budgetRegions, terminated, truncated, timings: { trainMs, evalMs, featuresMs } });
    return [ep.obs, reward, terminated, truncated, this.info(ep)];
  }

  /**
   * Privileged, for upper-bound agents that read the labels (the oracle): the reward this step would
   * give if it labelled just the candidates at flat slot indices `slots` (k·N + n), measured on the
   * real model and then undone exactly — weights, optimizer state and the training rng are put back,
   * nothing is labelled. A normal `step` after any number of probes gives what it gives without them.
   */
  async probe(slots: readonly number[]): Promise<number> {
    return this.exclusive('probe', async () => {
      this.assertOpen();
      const ep = this.episode;
      if (!ep || ep.done) throw new ResetNeededError('probe() needs a running episode (reset first)');
      const cfg = this.config;
      const ids: number[] = [];
      for (const i of slots) {
        if (!Number.isInteger(i) || i < 0 || i >= ep.slots.length || ep.slots[i]! < 0) throw new InvalidActionError(`probe: slot ${i} is not a real candidate (0..${ep.slots.length - 1} with actionMask 1)`);
        for (const id of this.regionsOfSlot(ep, ep.slots[i]!)) if (!ids.includes(id) && ep.labeled.size + ids.length < cfg.budgetRegions) ids.push(id);
      }
      // the masks the step would train on: labelled regions plus the probed ones
      const byImage = new Map<number, number[]>();
      for (const id of ids) {
        const { image, region } = splitRegionId(this.grid, id);
        (byImage.get(image) ?? byImage.set(image, [...ep.labeled.ofImage(image)]).get(image)!).push(region);
      }
      const masks = new Map(ep.masks);
      for (const [image, regions] of byImage) masks.set(image, trainingMask(this.grid, this.poolImages[image]!.label, regions, cfg.data.ignoreIndex));
      const trainIds = cfg.trainOn === 'new' ? ids : [...ep.labeled.ids(), ...ids];
      const items = regionItems(this.grid, this.poolImages, masks, trainIds);
      const state = ep.model.saveState();
      const rngState = ep.trainRng.getState();
      try {
        for (let e = 0; e < cfg.epochsPerStep && items.length > 0; e++) await ep.model.trainEpoch(items, ep.trainRng);
        const m = segMetrics(await confusionOf(ep.model, this.rewardImages, cfg.inferenceBatch));
        return 100 * (m.mIoU - ep.prevMIoU);
      } finally {
        ep.model.restore(state);
        ep.model.disposeState(state);
        ep.trainRng.setState(rngState);
      }
    });
  }

  close(): void {
    if (this.closed) return;
    if (this.busy) throw new ConcurrentCallError(`close() while ${this.busy}() is still running: await it first`);
    this.disposeEpisode();
    this.closed = true;
    this.events.complete();
  }

  private assertOpen(): void {
    if (this.closed) throw new ResetNeededError('the env is closed');
  }

  /** Region ids a slot labels: itself (region mode), or its image's unlabelled regions in order (image mode). */
  private regionsOfSlot(ep: Episode, slot: number): number[] {
    if (this.config.labelUnit === 'region') return [slot];
    const taken = ep.labeled.ofImage(slot);
    const ids: number[] = [];
    for (let r = 0; r < this.grid.perImage; r++) if (!taken.has(r)) ids.push(slot * this.grid.perImage + r);
    return ids;
  }

  /** Throws InvalidActionError before anything changes. */
  private validate(action: Int32Array, ep: Episode): void {
    const { poolSize: N } = this.config;
    const K = this.pools;
    if (!(action instanceof Int32Array)) throw new InvalidActionError(`action must be an Int32Array of length ${K}, got ${(action as unknown)?.constructor?.name ?? typeof action}`);
    if (action.length !== K) throw new InvalidActionError(`action has length ${action.length}, expected ${K} (one candidate index per pool)`);
    for (let k = 0; k < K; k++) {
      const a = action[k]!;
      if (a < 0 || a >= N) throw new InvalidActionError(`pool ${k}: index ${a} is out of range, expected 0..${N - 1}`);
      const poolHasReal = ep.obs.actionMask.subarray(k * N, (k + 1) * N).some((m) => m === 1);
      if (poolHasReal && ep.obs.actionMask[k * N + a] === 0) throw new InvalidActionError(`pool ${k}: index ${a} is a padding candidate (actionMask is 0)`);
    }
  }

  private label(ep: Episode, id: number): void {
    const C = this.config.data.numClasses;
    const { image, region } = splitRegionId(this.grid, id);
    const sample = this.poolImages[image]!;
    ep.labeled.add(id);
    const { dist, counts } = regionClassDistribution(this.grid, sample.label, region, C);
    ep.labeledDist.push(...dist);
    for (let c = 0; c <= C; c++) ep.labeledHist[c]! += counts[c]!;
    ep.masks.set(image, trainingMask(this.grid, sample.label, ep.labeled.ofImage(image), this.config.data.ignoreIndex));
  }

  private trainItems(ep: Episode, ids: readonly number[]): TrainItem[] {
    return regionItems(this.grid, this.poolImages, ep.masks, ids);
  }

  private anyUnlabeled(ep: Episode): boolean {
    return ep.labeled.size < this.poolImages.length * this.grid.perImage;
  }

  /** Draw candidates and compute the observation; replaces (and frees) the previous one. */
  private async observe(ep: Episode): Promise<void> {
    const cfg = this.config;
    const C = cfg.data.numClasses;
    const { poolSize: N } = cfg;
    const K = this.pools;
    const image = cfg.labelUnit === 'image';
    const candidates = ep.done ? [] : image ? sampleCandidateImages(ep.labeled, K * N, ep.poolRng) : sampleCandidateRegions(ep.labeled, K * N, ep.poolRng);
    const slots = arrangePools(candidates, K, N, ep.poolRng);
    const L = ep.labeledDist.length / (C + 1);
    const labeledDist = L > 0 ? tf.tensor2d(ep.labeledDist, [L, C + 1]) : null;
    const mc = { passes: cfg.mcPasses, rng: ep.mcRng };
    const unlabeled = (img: number) => this.regionsOfSlot(ep, img).map((id) => id % this.grid.perImage);
    const query = { learner: ep.model, poolImages: this.poolImages, K, N, grid: this.grid, labeledDist, batch: cfg.inferenceBatch, wanted: this.scores, mc };
    const { pools, stats } = image ? await imagePoolFeatures(query, slots, unlabeled) : await poolFeatures(query, slots);
    labeledDist?.dispose();
    const labeledStats = await this.labeledStatistics(ep);
    const state = await stateFeatures(ep.model, this.stateImages, this.grid, cfg.inferenceBatch);
    if (ep.obs) tf.dispose([ep.obs.state, ep.obs.pools]);
    ep.slots = slots;
    ep.stats = stats;
    ep.labeledStats = labeledStats;
    ep.obs = { state, pools, actionMask: maskOf(slots) };
  }

  /**
   * Statistics asked for the labelled regions too (coreset's distances), in labelling order. With a
   * learner whose embeddings never change, each region's row is computed once per episode.
   */
  private async labeledStatistics(ep: Episode): Promise<Map<string, Float32Array>> {
    const wanted = this.scores.filter((s) => s.source === 'embeddings' && s.ofLabeled);
    const ids = ep.labeled.ids();
    if (wanted.length === 0 || ids.length === 0) return new Map(wanted.map((s) => [s.name, new Float32Array(0)]));
    const cache = ep.model.fixedEmbeddings ? ep.embeddingRows : null;
    const todo = cache ? ids.filter((id) => !cache.has(`${wanted[0]!.name}|${id}`)) : ids;
    if (todo.length > 0) {
      const { images, rowOf } = imagesOf(todo, this.grid);
      const out = await regionOutputs(ep.model, images.map((i) => this.poolImages[i]!), this.grid, this.config.inferenceBatch, wanted, null);
      const rows = tf.tensor1d(todo.map(rowOf), 'int32');
      for (const s of wanted) {
        const v = tf.tidy(() => tf.gather(out.stats.get(s.name)!, rows).dataSync() as Float32Array);
        const width = v.length / todo.length;
        todo.forEach((id, i) => ep.embeddingRows.set(`${s.name}|${id}`, v.subarray(i * width, (i + 1) * width)));
      }
      rows.dispose();
      disposeOutputs(out);
    }
    const result = new Map(wanted.map((s) => {
      const parts = ids.map((id) => ep.embeddingRows.get(`${s.name}|${id}`)!);
      const flat = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
      let o = 0;
      for (const p of parts) (flat.set(p, o), (o += p.length));
      return [s.name, flat] as const;
    }));
    if (!cache) ep.embeddingRows.clear();
    return result;
  }

  private info(ep: Episode): ActiveSegInfo {
    const cfg = this.config;
    const regionPixels = this.grid.regionH * this.grid.regionW;
    const used = ep.labeled.size;
    return {
      step: ep.step,
      budgetRegions: cfg.budgetRegions,
      usedRegions: used,
      leftRegions: Math.max(0, cfg.budgetRegions - used),
      regionPixels,
      usedPixels: used * regionPixels,
      budgetPixels: cfg.budgetRegions * regionPixels,
      labeledRegionIds: Int32Array.from(ep.labeled.ids()),
      newRegionIds: ep.newIds.slice(),
      candidateIds: ep.slots.slice(),
      candidates: Object.fromEntries([...ep.stats].map(([name, s]) => [name, s.values.slice()])),
      candidateWidths: Object.fromEntries([...ep.stats].map(([name, s]) => [name, s.width])),
      labeledStatistics: Object.fromEntries([...ep.labeledStats].map(([name, v]) => [name, v.slice()])),
      rewardMIoU: ep.metrics.mIoU,
      rewardPerClassIoU: ep.metrics.perClassIoU.slice(),
      labeledClassHistogram: Array.from(ep.labeledHist),
    };
  }

  private disposeEpisode(): void {
    const ep = this.episode;
    if (!ep) return;
    if (ep.obs) tf.dispose([ep.obs.state, ep.obs.pools]);
    ep.model.dispose();
    this.episode = null;
  }
}

