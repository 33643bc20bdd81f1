/**
 * The fixed workloads `npm run bench` times one RALIS step on (issue 6 and the frozen-encoder issue):
 *
 * - `unet` (default): CamVid geometry at scale 0.4 (144×192, 4×6 regions of 36×32), UNet-S, state set
 *   10 images, K = 24 pools × N = 10 candidates from ~11 images, 480 labelled regions, reward set 101
 *   images; random data of those shapes (seeded), or real CamVid with `--data camvid`.
 * - a protocol (`--protocol camvid-ralis-cold-linear`): its data set, geometry, learner and training settings, the
 *   first 10 images of its state split, K × N of its policy phase from its policy pool with 480
 *   regions labelled, the first 101 images of its reward split.
 *
 * Both: one training step on 24 crops centred on new regions, one DQN update on 16 transitions.
 */
import type { Rng } from '../../core/rng.ts';
import { createLearner, learnerSpecOf } from '../../env/learners/registry.ts';
import type { SegLearner, TrainItem } from '../../env/learners/learner.ts';
import type { SegTrainSettings } from '../../env/learners/train-settings.ts';
import { LabelledSet } from '../../env/labelled-set.ts';
import { fullItems } from '../../env/start-model.ts';
import { makeGrid, type RegionGrid } from '../../env/regions.ts';
import { getSplit, type SegDataset, type SegSample, type SplitName } from '../../env/data/dataset.ts';
import { loadCamVid } from '../../env/data/camvid.ts';
import { resolveProtocol, segTrainConfig } from '../../env/make-env.ts';
import { prepareProtocol } from '../sweep/prepare.ts';

export interface Workload {
  /** What a reader needs to know the figures apart: the learner, its features, the geometry. */
  readonly describe: {
    readonly name: string;
    readonly learner: string;
    readonly image: readonly [number, number];
    readonly K: number;
    readonly N: number;
    readonly features?: { readonly dim: number; readonly grid: readonly [number, number] };
    readonly head?: { readonly hidden: number };
  };
  readonly learner: SegLearner;
  readonly pool: readonly SegSample[];
  readonly state: readonly SegSample[];
  readonly reward: readonly SegSample[];
  readonly grid: RegionGrid;
  readonly K: number;
  readonly N: number;
  /** Forward GFLOP per image, when known (UNet-S); 0 otherwise. */
  readonly forwardGflop: number;
  /** GFLOP of the training step (forward + backward ≈ 3 forwards of each crop), when known. */
  readonly trainGflop: number;
  /**
   * One epoch of the protocol's final training (protocols only): its items with 480 regions of the
   * evaluation pool labelled (the start's split besides, when the rule trains on it) and its lr and
   * batch size; `describe` says what the items are.
   */
  readonly finalEpoch?: { readonly items: readonly TrainItem[]; readonly settings: Partial<SegTrainSettings>; readonly describe: string };
}

const H = 144, W = 192, C = 11;

function randomSamples(n: number, rng: Rng, prefix: string): SegSample[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `${prefix}${i}`,
    image: Uint8Array.from({ length: H * W * 3 }, () => rng.int(256)),
    label: Uint8Array.from({ length: H * W }, () => rng.int(C + 1)),
  }));
}

/** UNet-S at CamVid 0.4: random data (seeded) or the real images. */
export async function unetWorkload(data_: 'random' | 'camvid', rng: Rng): Promise<Workload> {
  let pool: SegSample[], state: SegSample[], reward: SegSample[];
  if (data_ === 'camvid') {
    const ds = loadCamVid({ scale: 0.4, root: process.env.REGIONGYM_CAMVID ?? '../shared/datasets/camvid' });
    [pool, state, reward] = [ds.splits.d_v!.slice(0, 40), ds.splits.d_s!.slice(0, 10), ds.splits.val!.slice(0, 101)];
  } else {
    [pool, state, reward] = [randomSamples(40, rng, 'p'), randomSamples(10, rng, 's'), randomSamples(101, rng, 'r')];
  }
  const data: SegDataset = { name: `unet-s ${data_}`, height: H, width: W, numClasses: C, ignoreIndex: C, classNames: Array.from({ length: C }, (_, c) => `class ${c}`), splits: {} };
  const learner = await createLearner({ name: 'unet-s' }, { data, cacheDir: null, train: { optimizer: 'sgd', lr: 1e-3, momentum: 0.95, weightDecay: 1e-4, clipNorm: 4, batchSize: 24, cropHeight: 96, cropWidth: 96, flip: true } }, rng.fork('init'));
  const fwd = learner.profile!.forwardGflop();
  return {
    describe: { name: `unet-s ${data_}`, learner: 'unet-s', image: [H, W], K: 24, N: 10 },
    learner,
    pool,
    state,
    reward,
    grid: makeGrid(H, W, 36, 32),
    K: 24,
    N: 10,
    forwardGflop: fwd,
    trainGflop: 3 * 24 * learner.profile!.forwardGflop(96, 96),
  };
}

/** A protocol's own data, learner and geometry (features from the learner cache, encoded once). */
export async function protocolWorkload(name: string, rng: Rng, o: { root?: string; cacheDir: string | null; threads?: number }): Promise<Workload> {
  const p = resolveProtocol(name);
  const ds = await prepareProtocol(p, { dataRoot: o.root, cacheDir: o.cacheDir, threads: o.threads });
  const spec = learnerSpecOf(p.model);
  const learner = await createLearner(spec, { data: ds, train: segTrainConfig(p), cacheDir: o.cacheDir }, rng.fork('init'));
  const K = p.poolsPerStep, N = p.poolSize.policy;
  const profile = learner.profile;
  const grid = makeGrid(ds.height, ds.width, p.regions.height, p.regions.width);
  // the final training after a budget of 480 regions, spread evenly over the evaluation pool (as a random agent's are)
  const evalPool = getSplit(ds, p.splits.evalPool);
  const stride = Math.max(1, Math.floor((evalPool.length * grid.perImage) / 480));
  const labelled = new LabelledSet(grid, evalPool, Array.from({ length: Math.min(480, evalPool.length * grid.perImage) }, (_, k) => k * stride), ds.numClasses, ds.ignoreIndex);
  const rule = p.finalTraining;
  const alongside = rule.withStartSplit ? fullItems(getSplit(ds, p.initialModel.evaluation as SplitName)) : [];
  const labelledItems = rule.items === 'whole-image' ? labelled.wholeImages() : labelled.itemsOnePerImage(rng.fork('final-epoch'));
  const finalEpoch = {
    items: [...alongside, ...labelledItems],
    settings: { ...(rule.lr !== undefined ? { lr: rule.lr } : {}), ...(rule.batchSize !== undefined ? { batchSize: rule.batchSize } : {}) },
    describe: `${alongside.length ? `${alongside.length} whole images of ${p.initialModel.evaluation} + ` : ''}${labelledItems.length} ${rule.items === 'whole-image' ? 'images' : 'crops'} with 480 regions labelled, spread evenly`,
  };
  return {
    describe: {
      name: p.name,
      learner: spec.name,
      image: [ds.height, ds.width],
      K,
      N,
      ...(profile?.describe ?? {}),
    },
    learner,
    pool: getSplit(ds, p.splits.policyPool),
    state: getSplit(ds, p.splits.state).slice(0, 10),
    reward: getSplit(ds, p.splits.reward).slice(0, 101),
    grid,
    K,
    N,
    finalEpoch,
    // the frozen encoder ran once per image; what a pass costs is the head on every cell (2 FLOP a weight),
    // the bilinear upsampling of its logits (4 multiply-adds per pixel and class) and the argmax / softmax
    forwardGflop: profile?.forwardGflop() ?? 0,
    // a training step: forward and backward (≈ 3 forwards) of the head on 24 crops of the protocol's size
    trainGflop: profile ? 3 * 24 * profile.forwardGflop(p.segmentation.crop, p.segmentation.crop) : 0,
  };
}
