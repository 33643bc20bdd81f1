/** The protocol file format: TypeScript types and the ajv JSON schema that enforces them. */
import type { JSONSchemaType } from 'ajv';
import { type DataName } from '../data/registry.ts';

export interface Protocol {
  name: string;
  description: string;
  data: {
    name: DataName;
    /** Resize factor of the native size (synthetic: CamVid's 480×360). */
    scale: number;
    /** Folder of a real data set; camvid falls back to $REGIONGYM_CAMVID. */
    root?: string;
    synthetic?: { seed: number; counts: { d_t: number; d_s: number; d_v: number; val: number; test: number } };
  };
  regions: { height: number; width: number };
  splits: { policyPool: SplitRole; evalPool: SplitRole; state: SplitRole; reward: SplitRole; test: SplitRole };
  /** K: regions labelled per step. */
  poolsPerStep: number;
  /** N: candidates per pool while training a policy and when evaluating. */
  poolSize: { policy: number; eval: number };
  /** Evaluation budgets in regions, ascending. */
  budgets: number[];
  /** Budget of one policy-training episode. */
  policyBudget: number;
  seeds: number[];
  /** The segmentation learner and its settings (env/learners/registry.ts); default { name: "unet-s" }. */
  model?: { name: string; [setting: string]: unknown };
  segmentation: {
    /** Default 'sgd' (the paper's). */
    optimizer?: 'sgd' | 'adam';
    lr: number;
    momentum: number;
    weightDecay: number;
    clipNorm: number;
    batchSize: number;
    crop: number;
    flip: boolean;
    epochsPerStep: number;
    trainOn: 'new' | 'all';
    /**
     * The labelling loop's training where it differs from the start model's (which the fields above
     * set): e.g. the paper's loop, one SGD iteration per step (lr 1e-3, momentum 0.95, batch 24), on a
     * start trained with Adam. Absent: the loop trains as the start model did.
     */
    loop?: { optimizer?: 'sgd' | 'adam'; lr?: number; momentum?: number; weightDecay?: number; clipNorm?: number; batchSize?: number };
  };
  /**
   * Weights each episode starts from. Evaluation episodes (`evaluation`) and policy episodes
   * (`policy`, default 'scratch'):
   * - a split name ('d_t', 'd_s', …): the learner trained on every label of that split under the
   *   final training's rule (early stopping on the reward set with finalTraining.patience, at most
   *   `pretrainEpochs` epochs, best checkpoint). The paper's test phase starts from D_T this way.
   * - 'scratch': a fresh init.
   * - 'state-set' / 'pretrained-policy-pool' (the first protocols' spelling, kept so their records
   *   re-run): the state set or the policy pool trained for exactly `pretrainEpochs`, last weights.
   */
  initialModel: { evaluation: InitialModel; policy?: InitialModel; pretrainEpochs: number };
  /**
   * Training after each budget. `schedule` 'constant' (default): segmentation.lr throughout, early
   * stopping on the reward set with `patience`, best checkpoint kept. 'linear-decay': the rate falls
   * linearly to 0 over `epochs`, the last weights are kept (a stabler choice than the best of a noisy
   * validation curve). `lr` and `batchSize` (default: segmentation's) may differ from the labelling loop's.
   * `items`: what an epoch trains on — 'crop-per-image' (default, the paper's code: one crop per labelled
   * image around one of its labelled regions) or 'whole-image' (every labelled pixel of every labelled
   * image, the rest ignored). `from`: the weights it starts from — 'labelled-model' (default, the paper's
   * code: the learner as the labelling steps left it) or 'start-model' (the episode's start model, e.g.
   * the one trained on D_T: the result then depends on which regions were labelled, not on the order
   * the labelling loop trained on them; needs a trained start, not 'scratch'). `weightAverage` (absent:
   * none): early stopping validates, keeps and tests an exponential moving average of the epoch-end
   * weights, avg ← w·avg + (1 − w)·weights, started at the weights training begins from — so a checkpoint
   * is not picked from one epoch's swing. `warmupEpochs` W (absent: 0; constant schedule only): epoch
   * e ≤ W trains at lr·e/(W + 1). `withStartSplit` (absent: false; needs a start trained on a split and
   * whole-image items): every epoch also trains on the split the start model learned, fully labelled —
   * the labelled set is then that split in full plus the bought regions, as in most active learning,
   * and with every region of the pool it is the paper's upper bound (D_T ∪ D_V).
   */
  finalTraining: { epochs: number; patience: number; lr?: number; batchSize?: number; schedule?: 'constant' | 'linear-decay'; items?: 'crop-per-image' | 'whole-image'; from?: 'labelled-model' | 'start-model'; weightAverage?: number; warmupEpochs?: number; withStartSplit?: boolean };
  reward: { firstAgainstZero: boolean };
  baldPasses: number;
  inferenceBatch: number;
}

export type SplitRole = 'train' | 'val' | 'test' | 'd_t' | 'd_s' | 'd_v' | 'd_r';
export type InitialModel = 'scratch' | 'state-set' | 'pretrained-policy-pool' | SplitRole;
const START = ['scratch', 'state-set', 'pretrained-policy-pool', 'train', 'val', 'test', 'd_t', 'd_s', 'd_v', 'd_r'] as const;
const SPLIT = { type: 'string', enum: ['train', 'val', 'test', 'd_t', 'd_s', 'd_v', 'd_r'] } as const;

/** A start trained on a named split under the final training's rule (not 'scratch', not the first protocols' spellings). */
export function isSplitStart(start: InitialModel): start is SplitRole {
  return (SPLIT.enum as readonly string[]).includes(start);
}
const posInt = { type: 'integer', minimum: 1 } as const;
/** Every number in a protocol is bounded: a value past these is a typo, and would fail deep inside a run. */
const count = (max: number) => ({ type: 'integer', minimum: 1, maximum: max }) as const;
const SEED_MAX = 4294967295;

export const protocolSchema: JSONSchemaType<Protocol> = {
  $id: 'regiongym/protocol',
  type: 'object',
  additionalProperties: false,
  required: ['name', 'description', 'data', 'regions', 'splits', 'poolsPerStep', 'poolSize', 'budgets', 'policyBudget', 'seeds', 'segmentation', 'initialModel', 'finalTraining', 'reward', 'baldPasses', 'inferenceBatch'],
  properties: {
    name: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]*$', maxLength: 64 },
    description: { type: 'string', maxLength: 4000 },
    data: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'scale'],
      properties: {
        name: { type: 'string', pattern: '^[a-z][a-z0-9-]*$' },
        scale: { type: 'number', minimum: 0.05, maximum: 1 },
        root: { type: 'string', nullable: true, maxLength: 4096 },
        synthetic: {
          type: 'object',
          nullable: true,
          additionalProperties: false,
          required: ['seed', 'counts'],
          properties: {
            seed: { type: 'integer', minimum: 0, maximum: SEED_MAX },
            counts: {
              type: 'object',
              additionalProperties: false,
              required: ['d_t', 'd_s', 'd_v', 'val', 'test'],
              properties: { d_t: count(100000), d_s: count(100000), d_v: count(100000), val: count(100000), test: count(100000) },
            },
          },
        },
      },
    },
    regions: { type: 'object', additionalProperties: false, required: ['height', 'width'], properties: { height: { type: 'integer', minimum: 8, maximum: 4096 }, width: { type: 'integer', minimum: 8, maximum: 4096 } } },
    splits: {
      type: 'object',
      additionalProperties: false,
      required: ['policyPool', 'evalPool', 'state', 'reward', 'test'],
      properties: { policyPool: SPLIT, evalPool: SPLIT, state: SPLIT, reward: SPLIT, test: SPLIT },
    },
    poolsPerStep: count(100000),
    poolSize: { type: 'object', additionalProperties: false, required: ['policy', 'eval'], properties: { policy: count(100000), eval: count(100000) } },
    budgets: { type: 'array', items: count(10_000_000), minItems: 1, maxItems: 100 },
    policyBudget: count(10_000_000),
    seeds: { type: 'array', items: { type: 'integer', minimum: 0, maximum: SEED_MAX }, minItems: 1, maxItems: 1000, uniqueItems: true },
    // the learner's own schema checks the settings (protocol/load.ts)
    model: { type: 'object', nullable: true, required: ['name'], properties: { name: { type: 'string' } } } as never,
    segmentation: {
      type: 'object',
      additionalProperties: false,
      required: ['lr', 'momentum', 'weightDecay', 'clipNorm', 'batchSize', 'crop', 'flip', 'epochsPerStep', 'trainOn'],
      properties: {
        optimizer: { type: 'string', enum: ['sgd', 'adam'], nullable: true },
        lr: { type: 'number', exclusiveMinimum: 0, maximum: 10 },
        momentum: { type: 'number', minimum: 0, exclusiveMaximum: 1 },
        weightDecay: { type: 'number', minimum: 0, maximum: 1 },
        clipNorm: { type: 'number', exclusiveMinimum: 0, maximum: 1e6 },
        batchSize: count(4096),
        crop: { type: 'integer', minimum: 8, maximum: 4096, multipleOf: 4 },
        flip: { type: 'boolean' },
        epochsPerStep: count(1000),
        trainOn: { type: 'string', enum: ['new', 'all'] },
        loop: {
          type: 'object',
          nullable: true,
          additionalProperties: false,
          required: [],
          properties: {
            optimizer: { type: 'string', enum: ['sgd', 'adam'], nullable: true },
            lr: { type: 'number', exclusiveMinimum: 0, maximum: 10, nullable: true },
            momentum: { type: 'number', minimum: 0, exclusiveMaximum: 1, nullable: true },
            weightDecay: { type: 'number', minimum: 0, maximum: 1, nullable: true },
            clipNorm: { type: 'number', exclusiveMinimum: 0, maximum: 1e6, nullable: true },
            batchSize: { type: 'integer', minimum: 1, maximum: 4096, nullable: true },
          },
        },
      },
    },
    initialModel: {
      type: 'object',
      additionalProperties: false,
      required: ['evaluation', 'pretrainEpochs'],
      properties: {
        evaluation: { type: 'string', enum: START },
        policy: { type: 'string', enum: START, nullable: true },
        pretrainEpochs: { type: 'integer', minimum: 0, maximum: 100000 },
      },
    },
    finalTraining: { type: 'object', additionalProperties: false, required: ['epochs', 'patience'], properties: { epochs: { type: 'integer', minimum: 0, maximum: 100000 }, patience: count(100000), lr: { type: 'number', exclusiveMinimum: 0, maximum: 10, nullable: true }, batchSize: { type: 'integer', minimum: 1, maximum: 4096, nullable: true }, schedule: { type: 'string', enum: ['constant', 'linear-decay'], nullable: true }, items: { type: 'string', enum: ['crop-per-image', 'whole-image'], nullable: true }, from: { type: 'string', enum: ['labelled-model', 'start-model'], nullable: true }, weightAverage: { type: 'number', minimum: 0, exclusiveMaximum: 1, nullable: true }, warmupEpochs: { type: 'integer', minimum: 0, maximum: 1000, nullable: true }, withStartSplit: { type: 'boolean', nullable: true } } },
    reward: { type: 'object', additionalProperties: false, required: ['firstAgainstZero'], properties: { firstAgainstZero: { type: 'boolean' } } },
    baldPasses: { type: 'integer', minimum: 2, maximum: 1000 },
    inferenceBatch: count(4096),
  },
};
