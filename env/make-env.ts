/**
 * Versioned env ids (Gymnasium style) and `makeEnv`: a registered id, a shipped protocol name or a
 * protocol file, plus per-call options, gives an ActiveSegEnv.
 */
import { learnerSpecOf } from './learners/registry.ts';
import { counted } from '../core/text.ts';
import { ConfigError } from '../core/errors.ts';
import { ActiveSegEnv } from './active-seg-env.ts';
import type { ActiveSegOptions } from './active-seg-config.ts';
import type { SegDataset } from './data/dataset.ts';
import type { SegLearner } from './learners/learner.ts';
import type { SegTrainSettings } from './learners/train-settings.ts';
import { loadData } from './data/registry.ts';
import { defaultCacheDir } from './cache-dir.ts';
import { loadProtocol, type Protocol } from './protocol/load.ts';
import { isSplitStart, type InitialModel } from './protocol/schema.ts';

/** Registered ids → shipped protocols. A new version gets a new id; an id's meaning never changes. */
export const ENV_REGISTRY: Readonly<Record<string, string>> = {
  'SyntheticQuick-v0': 'synthetic-quick',
  'Synthetic-v0': 'synthetic',
  // v0 is the UNet-S protocol at scale 0.4 (the name camvid-ralis had until the frozen encoder)
  'CamVid-v0': 'camvid-ralis-unet',
  // v1: the cold-start linear-head protocol (named camvid-ralis until 0.2.x; same content, renamed)
  'CamVid-v1': 'camvid-ralis-cold-linear',
  // v2: the paper's regime, the main CamVid protocol
  'CamVid-v2': 'camvid-ralis-dt',
  'SyntheticFrozen-v0': 'synthetic-frozen',
};

export type Phase = 'policy' | 'eval';

export interface MakeEnvOptions {
  /** 'policy': label the policy-training pool with N = poolSize.policy; 'eval': the evaluation pool (default 'policy'). */
  phase?: Phase;
  budgetRegions?: number;
  seed?: number;
  initialModel?: SegLearner;
  /** Per-candidate statistics for info.candidates beyond `entropy` (env/scores), e.g. ['bald']. */
  statistics?: readonly string[];
  /** Where the learner may cache derived data (its feature cache); default $REGIONGYM_CACHE or ./.cache; null: none. */
  learnerCacheDir?: string | null;
  /** What an action labels (agents that label whole images say so); default 'region'. */
  labelUnit?: 'region' | 'image';
  /** Override the data folder of a real data set. */
  dataRoot?: string;
}

export function resolveProtocol(idOrProtocol: string | Protocol): Protocol {
  if (typeof idOrProtocol !== 'string') return idOrProtocol;
  // own keys only: '__proto__' or 'constructor' are names a user may type, not entries of the table
  return loadProtocol(Object.hasOwn(ENV_REGISTRY, idOrProtocol) ? ENV_REGISTRY[idOrProtocol]! : idOrProtocol);
}

export function protocolData(p: Protocol, root?: string): SegDataset {
  const data = loadData({ name: p.data.name, scale: p.data.scale, root: root ?? p.data.root, syntheticSeed: p.data.synthetic?.seed, syntheticCounts: p.data.synthetic?.counts });
  checkProtocolSplits(p, data);
  return data;
}

/**
 * The split an episode starts from exists in the data set, and is none whose labels the start may not
 * see: the reward set (the early-stopping and reward signal), the test set, or for the evaluation start
 * the evaluation pool (the labels agents buy). A one-line error naming the field, before any work.
 */
export function checkProtocolSplits(p: Protocol, data: SegDataset): void {
  const named: [string, InitialModel][] = [
    ['initialModel.evaluation', p.initialModel.evaluation],
    ...(p.initialModel.policy ? [['initialModel.policy', p.initialModel.policy] as [string, InitialModel]] : []),
  ];
  for (const [field, split] of named) {
    if (!isSplitStart(split)) continue;
    const startSamples = data.splits[split as keyof typeof data.splits];
    if (!startSamples) throw new ConfigError(`protocol ${p.name}: ${field} = '${split}', but data set '${data.name}' has no split '${split}' (it has ${Object.keys(data.splits).join(', ')})`);
    const forbidden: [string, string][] = [
      ['the reward set (splits.reward)', p.splits.reward],
      ['the test set (splits.test)', p.splits.test],
      ...(field === 'initialModel.evaluation' ? [['the evaluation pool (splits.evalPool), whose labels the agents buy', p.splits.evalPool] as [string, string]] : []),
    ];
    const hit = forbidden.find(([, s]) => s === split);
    if (hit) throw new ConfigError(`protocol ${p.name}: ${field} = '${split}' is ${hit[0]}: a start model may not train on it`);
    // by image, not by name: 'train' holds D_T, D_S and D_V, so a start on it would have seen the pool
    const startIds = new Set(startSamples.map((s) => s.id));
    for (const [what, other] of forbidden) {
      const shared = (data.splits[other as keyof typeof data.splits] ?? []).filter((s) => startIds.has(s.id));
      if (shared.length) throw new ConfigError(`protocol ${p.name}: ${field} = '${split}' shares ${counted(shared.length, 'image')} (${shared[0]!.id}${shared.length > 1 ? ', …' : ''}) with ${what}: a start model may not train on it`);
    }
  }
}

export function segTrainConfig(p: Protocol): SegTrainSettings {
  const s = p.segmentation;
  return { optimizer: s.optimizer ?? 'sgd', lr: s.lr, momentum: s.momentum, weightDecay: s.weightDecay, clipNorm: s.clipNorm, batchSize: s.batchSize, cropHeight: s.crop, cropWidth: s.crop, flip: s.flip };
}

/** segmentation.loop as learner settings (only the fields it sets). */
function loopSettings(l: NonNullable<Protocol['segmentation']['loop']>): Partial<SegTrainSettings> {
  return Object.fromEntries(Object.entries(l).filter(([, v]) => v !== undefined && v !== null)) as Partial<SegTrainSettings>;
}

export function envOptions(p: Protocol, data: SegDataset, opts: MakeEnvOptions = {}): ActiveSegOptions {
  const phase = opts.phase ?? 'policy';
  if (phase !== 'policy' && phase !== 'eval') throw new ConfigError(`phase must be 'policy' or 'eval', got '${phase}'`);
  return {
    data,
    poolSplit: phase === 'policy' ? p.splits.policyPool : p.splits.evalPool,
    stateSplit: p.splits.state,
    rewardSplit: p.splits.reward,
    regionHeight: p.regions.height,
    regionWidth: p.regions.width,
    poolsPerStep: p.poolsPerStep,
    poolSize: phase === 'policy' ? p.poolSize.policy : p.poolSize.eval,
    budgetRegions: opts.budgetRegions ?? (phase === 'policy' ? p.policyBudget : p.budgets[p.budgets.length - 1]!),
    model: learnerSpecOf(p.model),
    learnerCacheDir: opts.learnerCacheDir === undefined ? defaultCacheDir() : opts.learnerCacheDir,
    seg: segTrainConfig(p),
    ...(p.segmentation.loop ? { loop: loopSettings(p.segmentation.loop) } : {}),
    epochsPerStep: p.segmentation.epochsPerStep,
    trainOn: p.segmentation.trainOn,
    firstRewardAgainstZero: p.reward.firstAgainstZero,
    initialModel: opts.initialModel,
    statistics: opts.statistics ?? [],
    labelUnit: opts.labelUnit ?? 'region',
    mcPasses: p.baldPasses,
    inferenceBatch: p.inferenceBatch,
    seed: opts.seed ?? p.seeds[0]!,
  };
}

/** Make an env from a registered id (`SyntheticQuick-v0`), a protocol name (`synthetic-quick`) or a protocol file. */
export function makeEnv(idOrProtocol: string | Protocol, opts: MakeEnvOptions = {}): ActiveSegEnv {
  const p = resolveProtocol(idOrProtocol);
  const id = Object.entries(ENV_REGISTRY).find(([, name]) => name === p.name)?.[0] ?? `${p.name}-custom`;
  return new ActiveSegEnv(envOptions(p, protocolData(p, opts.dataRoot), opts), { id });
}
