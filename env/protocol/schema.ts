/** The protocol file format: TypeScript types and the ajv JSON schema that enforces them. */
import type { JSONSchemaType } from 'ajv';
import { DATA_NAMES, type DataName } from '../data/registry.ts';

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
  };
  /**
   * Weights each episode starts from. Evaluation episodes: a fresh init, a learner trained on the
   * fully labelled state set, or on the fully labelled policy pool (the paper: GTA + D_T). Policy
   * episodes (`policy`, default 'scratch'): a fresh init or the state-set learner.
   */
  initialModel: { evaluation: InitialModel; policy?: 'scratch' | 'state-set'; pretrainEpochs: number };
  /**
   * Training after each budget. `schedule` 'constant' (default): segmentation.lr throughout, early
   * stopping on the reward set with `patience`, best checkpoint kept. 'linear-decay': the rate falls
   * linearly to 0 over `epochs`, the last weights are kept (a stabler choice than the best of a noisy
   * validation curve). `lr` and `batchSize` (default: segmentation's) may differ from the labelling loop's.
   */
  finalTraining: { epochs: number; patience: number; lr?: number; batchSize?: number; schedule?: 'constant' | 'linear-decay' };
  reward: { firstAgainstZero: boolean };
  baldPasses: number;
  inferenceBatch: number;
}

export type SplitRole = 'train' | 'val' | 'test' | 'd_t' | 'd_s' | 'd_v';
export type InitialModel = 'scratch' | 'state-set' | 'pretrained-policy-pool';
const SPLIT = { type: 'string', enum: ['train', 'val', 'test', 'd_t', 'd_s', 'd_v'] } as const;
const posInt = { type: 'integer', minimum: 1 } as const;

export const protocolSchema: JSONSchemaType<Protocol> = {
  $id: 'regiongym/protocol',
  type: 'object',
  additionalProperties: false,
  required: ['name', 'description', 'data', 'regions', 'splits', 'poolsPerStep', 'poolSize', 'budgets', 'policyBudget', 'seeds', 'segmentation', 'initialModel', 'finalTraining', 'reward', 'baldPasses', 'inferenceBatch'],
  properties: {
    name: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]*$' },
    description: { type: 'string' },
    data: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'scale'],
      properties: {
        name: { type: 'string', enum: DATA_NAMES },
        scale: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
        root: { type: 'string', nullable: true },
        synthetic: {
          type: 'object',
          nullable: true,
          additionalProperties: false,
          required: ['seed', 'counts'],
          properties: {
            seed: { type: 'integer', minimum: 0 },
            counts: {
              type: 'object',
              additionalProperties: false,
              required: ['d_t', 'd_s', 'd_v', 'val', 'test'],
              properties: { d_t: posInt, d_s: posInt, d_v: posInt, val: posInt, test: posInt },
            },
          },
        },
      },
    },
    regions: { type: 'object', additionalProperties: false, required: ['height', 'width'], properties: { height: { type: 'integer', minimum: 8 }, width: { type: 'integer', minimum: 8 } } },
    splits: {
      type: 'object',
      additionalProperties: false,
      required: ['policyPool', 'evalPool', 'state', 'reward', 'test'],
      properties: { policyPool: SPLIT, evalPool: SPLIT, state: SPLIT, reward: SPLIT, test: SPLIT },
    },
    poolsPerStep: posInt,
    poolSize: { type: 'object', additionalProperties: false, required: ['policy', 'eval'], properties: { policy: posInt, eval: posInt } },
    budgets: { type: 'array', items: posInt, minItems: 1 },
    policyBudget: posInt,
    seeds: { type: 'array', items: { type: 'integer', minimum: 0, maximum: 4294967295 }, minItems: 1, uniqueItems: true },
    // the learner's own schema checks the settings (protocol/load.ts)
    model: { type: 'object', nullable: true, required: ['name'], properties: { name: { type: 'string' } } } as never,
    segmentation: {
      type: 'object',
      additionalProperties: false,
      required: ['lr', 'momentum', 'weightDecay', 'clipNorm', 'batchSize', 'crop', 'flip', 'epochsPerStep', 'trainOn'],
      properties: {
        optimizer: { type: 'string', enum: ['sgd', 'adam'], nullable: true },
        lr: { type: 'number', exclusiveMinimum: 0 },
        momentum: { type: 'number', minimum: 0, exclusiveMaximum: 1 },
        weightDecay: { type: 'number', minimum: 0 },
        clipNorm: { type: 'number', exclusiveMinimum: 0 },
        batchSize: posInt,
        crop: { type: 'integer', minimum: 8, multipleOf: 4 },
        flip: { type: 'boolean' },
        epochsPerStep: posInt,
        trainOn: { type: 'string', enum: ['new', 'all'] },
      },
    },
    initialModel: {
      type: 'object',
      additionalProperties: false,
      required: ['evaluation', 'pretrainEpochs'],
      properties: {
        evaluation: { type: 'string', enum: ['scratch', 'state-set', 'pretrained-policy-pool'] },
        policy: { type: 'string', enum: ['scratch', 'state-set'], nullable: true },
        pretrainEpochs: { type: 'integer', minimum: 0 },
      },
    },
    finalTraining: { type: 'object', additionalProperties: false, required: ['epochs', 'patience'], properties: { epochs: { type: 'integer', minimum: 0 }, patience: posInt, lr: { type: 'number', exclusiveMinimum: 0, nullable: true }, batchSize: { type: 'integer', minimum: 1, nullable: true }, schedule: { type: 'string', enum: ['constant', 'linear-decay'], nullable: true } } },
    reward: { type: 'object', additionalProperties: false, required: ['firstAgainstZero'], properties: { firstAgainstZero: { type: 'boolean' } } },
    baldPasses: { type: 'integer', minimum: 2 },
    inferenceBatch: posInt,
  },
};
