/** One benchmark run = (protocol, agent, seed, budget): its JSON line format and ajv schema. */
import { Ajv, type JSONSchemaType } from 'ajv';
import { appendUnique, readJsonLines } from './runs-file.ts';
import { ConfigError } from '../../core/errors.ts';

export interface RunRecord {
  schema: 2;
  protocol: string;
  /** Content hash of the protocol (env/protocol/hash.ts) and of each of its top-level fields. */
  protocolHash: string;
  protocolFields: Record<string, string>;
  /** The learner with its settings (defaults filled in). */
  model: { name: string; [setting: string]: unknown };
  dataset: { name: string; classNames: string[] };
  /** The agent's label on the board, and its identity (a policy: the hash of its files). */
  agent: string;
  agentId: string;
  /** Not a deployable agent (reads the labels): an upper bound. */
  privileged: boolean;
  /** A non-learning acquisition function. */
  baseline: boolean;
  /** Stable id of the trajectory (protocol × agent × seed) this run belongs to. */
  trajectory: string;
  seed: number;
  budgetRegions: number;
  budgetPixels: number;
  usedRegions: number;
  /** Steps the env took to label up to this budget. */
  labelingSteps: number;
  testMIoU: number;
  testPerClassIoU: (number | null)[];
  testPixelAccuracy: number;
  /** Reward-set mIoU right after labelling (before final training) and of the final checkpoint. */
  rewardMIoUAfterLabeling: number;
  rewardMIoUFinal: number;
  finalTrainingEpochs: number;
  labeledClassHistogram: number[];
  labeledClassBalanceEntropy: number;
  /** Regions labelled in the first three images of the evaluation pool (the overlay figures). */
  overlayRegions: number[][];
  timings: { labelingMs: number; finalTrainMs: number; testMs: number };
  backend: string;
  inference: 'tfjs' | 'ort';
  training: 'tfjs' | 'ort';
  versions: { regiongym: string; tfjs: string; node: string };
  finishedAt: string;
}

const num = { type: 'number' } as const;
const str = { type: 'string', minLength: 1 } as const;
export const runRecordSchema: JSONSchemaType<RunRecord> = {
  $id: 'regiongym/run-record',
  type: 'object',
  additionalProperties: false,
  required: ['schema', 'protocol', 'protocolHash', 'protocolFields', 'model', 'dataset', 'agent', 'agentId', 'privileged', 'baseline', 'trajectory', 'seed', 'budgetRegions', 'budgetPixels', 'usedRegions', 'labelingSteps', 'testMIoU', 'testPerClassIoU', 'testPixelAccuracy', 'rewardMIoUAfterLabeling', 'rewardMIoUFinal', 'finalTrainingEpochs', 'labeledClassHistogram', 'labeledClassBalanceEntropy', 'overlayRegions', 'timings', 'backend', 'inference', 'training', 'versions', 'finishedAt'],
  properties: {
    schema: { type: 'integer', const: 2 },
    // a record's fields are data: the protocol is a name (as the protocol schema allows), never a path
    protocol: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]*$', maxLength: 64 },
    protocolHash: { type: 'string', minLength: 1, maxLength: 128 },
    protocolFields: { type: 'object', required: [], additionalProperties: { type: 'string' } } as never,
    model: { type: 'object', required: ['name'], properties: { name: str } } as never,
    dataset: { type: 'object', additionalProperties: false, required: ['name', 'classNames'], properties: { name: str, classNames: { type: 'array', items: { type: 'string' } } } },
    agent: { type: 'string', minLength: 1, maxLength: 256 },
    agentId: { type: 'string', minLength: 1, maxLength: 256 },
    privileged: { type: 'boolean' },
    baseline: { type: 'boolean' },
    trajectory: str,
    seed: { type: 'integer', minimum: 0, maximum: 4294967295 },
    budgetRegions: { type: 'integer', minimum: 1 },
    budgetPixels: { type: 'integer', minimum: 1 },
    usedRegions: { type: 'integer', minimum: 0 },
    labelingSteps: { type: 'integer', minimum: 0 },
    testMIoU: { type: 'number', minimum: 0, maximum: 1 },
    testPerClassIoU: { type: 'array', items: { type: 'number', nullable: true, minimum: 0, maximum: 1 } as never },
    testPixelAccuracy: { type: 'number', minimum: 0, maximum: 1 },
    rewardMIoUAfterLabeling: { type: 'number', minimum: 0, maximum: 1 },
    rewardMIoUFinal: { type: 'number', minimum: 0, maximum: 1 },
    finalTrainingEpochs: { type: 'integer', minimum: 0 },
    labeledClassHistogram: { type: 'array', items: { type: 'number', minimum: 0 } },
    labeledClassBalanceEntropy: { type: 'number', minimum: 0, maximum: 1 },
    overlayRegions: { type: 'array', items: { type: 'array', items: { type: 'integer', minimum: 0 } } },
    timings: { type: 'object', additionalProperties: false, required: ['labelingMs', 'finalTrainMs', 'testMs'], properties: { labelingMs: num, finalTrainMs: num, testMs: num } },
    backend: { type: 'string' },
    inference: { type: 'string', enum: ['tfjs', 'ort'] },
    training: { type: 'string', enum: ['tfjs', 'ort'] },
    versions: { type: 'object', additionalProperties: false, required: ['regiongym', 'tfjs', 'node'], properties: { regiongym: { type: 'string' }, tfjs: { type: 'string' }, node: { type: 'string' } } },
    finishedAt: { type: 'string' },
  },
};

const validate = new Ajv({ allErrors: true }).compile(runRecordSchema);

export function checkRunRecord(x: unknown, where = 'run record'): RunRecord {
  if (!validate(x)) {
    const errs = (validate.errors ?? []).map((e) => `${e.instancePath.slice(1).replaceAll('/', '.') || '(top level)'}: ${e.message}`);
    const old = (x as { schema?: unknown })?.schema === 1 ? ' (a schema-1 record from regiongym 0.1: re-run it with this version)' : '';
    throw new ConfigError(`${where} is invalid${old}: ${errs.join('; ')}`);
  }
  return x;
}

/** A run's identity: protocol content, agent identity, seed, budget. */
export function runKey(r: Pick<RunRecord, 'protocolHash' | 'agentId' | 'seed' | 'budgetRegions'>): string {
  return `${r.protocolHash}|${r.agentId}|${r.seed}|${r.budgetRegions}`;
}

/** Read a JSONL file of run records; every line is validated and a bad one is named by line number. */
export function readRunRecords(path: string): RunRecord[] {
  return readJsonLines(path, checkRunRecord).items;
}

/** Append a record unless its key is already in the file (checked under the file's lock). */
export function appendRunRecord(path: string, r: RunRecord): boolean {
  const key = runKey(r);
  return appendUnique(path, JSON.stringify(checkRunRecord(r)), readRunRecords, (existing) => existing.some((e) => runKey(e) === key));
}
