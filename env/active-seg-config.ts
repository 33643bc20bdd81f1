/** Configuration of ActiveSegEnv, with the paper's values beside our defaults. */
import { DEFAULT_LEARNER } from './learners/registry.ts';
import { ConfigError } from '../core/errors.ts';
import type { SegDataset, SplitName } from './data/dataset.ts';
import type { LearnerSpec, SegLearner } from './learners/learner.ts';
import { DEFAULT_SEG_TRAIN, type SegTrainSettings } from './learners/train-settings.ts';
import { regionScore } from './scores/registry.ts';

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
  /**
   * What one action labels: a region (the paper) or every remaining region of an image at once. In
   * image mode there are max(1, ⌊K / regionsPerImage⌋) pools of N candidate images, so a step labels
   * about as many regions as in region mode; the budget still counts regions.
   */
  readonly labelUnit: 'region' | 'image';
  /** N: candidates per pool (paper CamVid: 20 for policy training, 10 at test). */
  readonly poolSize: number;
  /** Labelling budget in regions; the episode terminates when it is spent (labelling stops mid-step). */
  readonly budgetRegions: number;
  /** The segmentation learner (env/learners/registry.ts); default UNet-S. */
  readonly model: LearnerSpec;
  /** Where the learner may cache derived data across envs (a feature cache); null: in memory only. */
  readonly learnerCacheDir: string | null;
  /** Segmentation training inside the env (paper CamVid: SGD, lr 1e-3, momentum 0.95, wd 1e-4, clip 4). */
  readonly seg: SegTrainSettings;
  /** The labelling loop's settings where they differ from `seg` (the start model's), applied to each episode's copy of the start. */
  readonly loop?: Partial<SegTrainSettings>;
  /** Epochs over the training items after each step (paper: 1). */
  readonly epochsPerStep: number;
  /** Train on the regions labelled in this step only (paper: 'new') or on all labelled so far. */
  readonly trainOn: 'new' | 'all';
  /** Paper quirk: the first reward of an episode is 100·mIoU (against 0). Ours: against the mIoU at reset. */
  readonly firstRewardAgainstZero: boolean;
  /** Weights every episode starts from (paper: a pre-trained net). Absent: a fresh init from the episode seed. */
  readonly initialModel?: SegLearner;
  /** Per-candidate scores (env/scores, by name) to compute for info.candidates (env/scores; `entropy` always). */
  readonly statistics: readonly string[];
  /** MC-dropout passes T of the MC scores (bald; paper T = 20). */
  readonly mcPasses: number;
  /** Images per forward batch for features and evaluation. */
  readonly inferenceBatch: number;
  /** Seed of the first reset when none is given. */
  readonly seed: number;
}

export const ACTIVE_SEG_DEFAULTS = {
  poolSplit: 'd_t',
  stateSplit: 'd_s',
  rewardSplit: 'val',
  model: { ...DEFAULT_LEARNER },
  labelUnit: 'region',
  learnerCacheDir: null,
  seg: DEFAULT_SEG_TRAIN,
  epochsPerStep: 1,
  trainOn: 'new',
  firstRewardAgainstZero: false,
  statistics: ['entropy'],
  mcPasses: 20,
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
  const stats = cfg.statistics.map((name) => regionScore(name));
  if (stats.some((s) => s.source === 'mc') && (!Number.isInteger(cfg.mcPasses) || cfg.mcPasses < 2)) throw new ConfigError(`mcPasses must be an integer ≥ 2 for the MC scores, got ${cfg.mcPasses}`);
  if (cfg.labelUnit !== 'region' && cfg.labelUnit !== 'image') throw new ConfigError(`labelUnit must be 'region' or 'image', got '${cfg.labelUnit}'`);
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
