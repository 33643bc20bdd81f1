/**
 * Versioned env ids (Gymnasium style) and `makeEnv`: a registered id, a shipped protocol name or a
 * protocol file, plus per-call options, gives an ActiveSegEnv.
 */
import { ConfigError } from './core/errors.ts';
import { ActiveSegEnv } from './active-seg-env.ts';
import type { ActiveSegOptions } from './active-seg-config.ts';
import type { SegDataset } from './data/dataset.ts';
import type { Segmenter, SegTrainConfig } from './learners/unet/learner.ts';
import { loadData } from './data/registry.ts';
import { loadProtocol, type Protocol } from './protocol/load.ts';

/** Registered ids → shipped protocols. A new version gets a new id; an id's meaning never changes. */
export const ENV_REGISTRY: Readonly<Record<string, string>> = {
  'SyntheticQuick-v0': 'synthetic-quick',
  'Synthetic-v0': 'synthetic',
  'CamVid-v0': 'camvid-ralis',
};

export type Phase = 'policy' | 'eval';

export interface MakeEnvOptions {
  /** 'policy': label the policy-training pool with N = poolSize.policy; 'eval': the evaluation pool (default 'policy'). */
  phase?: Phase;
  budgetRegions?: number;
  seed?: number;
  initialModel?: Segmenter;
  /** Compute per-candidate BALD scores (the protocol's T passes). */
  bald?: boolean;
  /** Override the data folder of a real data set. */
  dataRoot?: string;
}

export function resolveProtocol(idOrProtocol: string | Protocol): Protocol {
  if (typeof idOrProtocol !== 'string') return idOrProtocol;
  return loadProtocol(ENV_REGISTRY[idOrProtocol] ?? idOrProtocol);
}

export function protocolData(p: Protocol, root?: string): SegDataset {
  return loadData({ name: p.data.name, scale: p.data.scale, root: root ?? p.data.root, syntheticSeed: p.data.synthetic?.seed, syntheticCounts: p.data.synthetic?.counts });
}

export function segTrainConfig(p: Protocol): SegTrainConfig {
  const s = p.segmentation;
  return { lr: s.lr, momentum: s.momentum, weightDecay: s.weightDecay, clipNorm: s.clipNorm, batchSize: s.batchSize, cropHeight: s.crop, cropWidth: s.crop, flip: s.flip };
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
    seg: segTrainConfig(p),
    epochsPerStep: p.segmentation.epochsPerStep,
    trainOn: p.segmentation.trainOn,
    firstRewardAgainstZero: p.reward.firstAgainstZero,
    initialModel: opts.initialModel,
    baldPasses: opts.bald ? p.baldPasses : 0,
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
