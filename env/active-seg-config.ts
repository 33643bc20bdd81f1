/** Configuration of ActiveSegEnv, with the paper's values beside our defaults. */
import { ConfigError } from './core/errors.ts';
import type { SegDataset, SplitName } from './data/dataset.ts';
import type { Segmenter, SegTrainConfig } from './learners/unet/learner.ts';
import { DEFAULT_SEG_TRAIN } from './learners/unet/learner.ts';

export interface ActiveSegConfig {
  readonly data: SegDataset;
  /** Split whose regions are labelled: 'd_t' while training a policy, 'd_v' when evaluating (paper). */
  readonly poolSplit: SplitName;
  /** Fixed images whose predictions form the state (paper: 'd_s', 10 images). */
  readonly stateSplit: SplitName;
  /** Split the reward mIoU is measured on (paper, CamVid: the official 'val'). */
  readonly rewardSplit: SplitName;
  readonly regionHeight: number;
  readonly regionWidth: number;
  /** K: pools per step = regions labelled per step (paper CamVid 24). */
  readonly poolsPerStep: number;
  /** N: candidates per pool (paper CamVid: 20 for policy training, 10 at test). */
  readonly poolSize: number;
  /** Labelling budget in regions; the episode terminates when it is spent (labelling stops mid-step). */
  readonly budgetRegions: number;
  /** Segmentation training inside the env (paper CamVid: lr 1e-3, momentum 0.95, wd 1e-4, clip 4). */
  readonly seg: SegTrainConfig;
  /** Epochs over the training items after each step (paper: 1). */
  readonly epochsPerStep: number;
  /** Train on the regions labelled in this step only (paper: 'new') or on all labelled so far. */
  readonly trainOn: 'new' | 'all';
  /** Paper quirk: the first reward of an episode is 100·mIoU (against 0). Ours: against the mIoU at reset. */
  readonly firstRewardAgainstZero: boolean;
  /** Weights every episode starts from (paper: a pre-trained net). Absent: a fresh init from the episode seed. */
  readonly initialModel?: Segmenter;
  /** MC-dropout passes for per-candidate BALD scores in info (0 = not computed; paper T = 20). */
  readonly baldPasses: number;
  /** Images per forward batch for features and evaluation. */
  readonly inferenceBatch: number;
  /** Seed of the first reset when none is given. */
  readonly seed: number;
}

export const ACTIVE_SEG_DEFAULTS = {
  poolSplit: 'd_t',
  stateSplit: 'd_s',
  rewardSplit: 'val',
  seg: DEFAULT_SEG_TRAIN,
  epochsPerStep: 1,
  trainOn: 'new',
  firstRewardAgainstZero: false,
  baldPasses: 0,
  inferenceBatch: 8,
  seed: 0,
} as const satisfies Partial<ActiveSegConfig>;

export type ActiveSegOptions = Omit<ActiveSegConfig, keyof typeof ACTIVE_SEG_DEFAULTS> & Partial<ActiveSegConfig>;

export function resolveConfig(opts: ActiveSegOptions): ActiveSegConfig {
  const cfg: ActiveSegConfig = { ...ACTIVE_SEG_DEFAULTS, ...opts };
  const positiveInt = (name: string, v: number) => {
    if (!Number.isInteger(v) || v < 1) throw new ConfigError(`${name} must be a positive integer, got ${v}`);
  };
  positiveInt('poolsPerStep', cfg.poolsPerStep);
  positiveInt('poolSize', cfg.poolSize);
  positiveInt('budgetRegions', cfg.budgetRegions);
  positiveInt('epochsPerStep', cfg.epochsPerStep);
  positiveInt('inferenceBatch', cfg.inferenceBatch);
  if (cfg.baldPasses !== 0 && (!Number.isInteger(cfg.baldPasses) || cfg.baldPasses < 2)) throw new ConfigError(`baldPasses must be 0 (off) or an integer ≥ 2, got ${cfg.baldPasses}`);
  if (cfg.trainOn !== 'new' && cfg.trainOn !== 'all') throw new ConfigError(`trainOn must be 'new' or 'all', got '${cfg.trainOn}'`);
  for (const role of ['poolSplit', 'stateSplit', 'rewardSplit'] as const) {
    const split = cfg.data.splits[cfg[role]];
    if (!split || split.length === 0) throw new ConfigError(`${role} '${cfg[role]}' is missing or empty in data set '${cfg.data.name}' (it has ${Object.keys(cfg.data.splits).join(', ')})`);
  }
  if (cfg.initialModel && (cfg.initialModel.height !== cfg.data.height || cfg.initialModel.width !== cfg.data.width || cfg.initialModel.numClasses !== cfg.data.numClasses)) {
    throw new ConfigError(`initialModel is for ${cfg.initialModel.height}×${cfg.initialModel.width}, ${cfg.initialModel.numClasses} classes; data is ${cfg.data.height}×${cfg.data.width}, ${cfg.data.numClasses} classes`);
  }
  return cfg;
}
