/** One benchmark run = (protocol, agent, seed, budget): its JSON line format and ajv schema. */
import { Ajv, type JSONSchemaType } from 'ajv';
import { readFileSync, existsSync } from 'node:fs';
import { ConfigError } from '../env/core/errors.ts';

export interface RunRecord {
  schema: 1;
  protocol: string;
  agent: string;
  seed: number;
  budgetRegions: number;
  budgetPixels: number;
  usedRegions: number;
  testMIoU: number;
  testPerClassIoU: (number | null)[];
  testPixelAccuracy: number;
  /** Reward-set mIoU right after labelling (before final training) and of the final checkpoint. */
  rewardMIoUAfterLabeling: number;
  rewardMIoUFinal: number;
  finalTrainingEpochs: number;
  labeledClassHistogram: number[];
  labeledClassBalanceEntropy: number;
  timings: { labelingMs: number; finalTrainMs: number; testMs: number };
  backend: string;
  /** Inference engine of the forward-only passes (absent in records made before it was selectable: tfjs). */
  inference?: string;
  /** Engine of the SGD gradients (absent in records made before it was selectable: tfjs). */
  training?: string;
  versions: { regiongym: string; tfjs: string; node: string };
  finishedAt: string;
}

const num = { type: 'number' } as const;
export const runRecordSchema: JSONSchemaType<RunRecord> = {
  $id: 'regiongym/run-record',
  type: 'object',
  additionalProperties: false,
  required: ['schema', 'protocol', 'agent', 'seed', 'budgetRegions', 'budgetPixels', 'usedRegions', 'testMIoU', 'testPerClassIoU', 'testPixelAccuracy', 'rewardMIoUAfterLabeling', 'rewardMIoUFinal', 'finalTrainingEpochs', 'labeledClassHistogram', 'labeledClassBalanceEntropy', 'timings', 'backend', 'versions', 'finishedAt'],
  properties: {
    schema: { type: 'integer', const: 1 },
    protocol: { type: 'string', minLength: 1 },
    agent: { type: 'string', minLength: 1 },
    seed: { type: 'integer', minimum: 0 },
    budgetRegions: { type: 'integer', minimum: 1 },
    budgetPixels: { type: 'integer', minimum: 1 },
    usedRegions: { type: 'integer', minimum: 0 },
    testMIoU: { type: 'number', minimum: 0, maximum: 1 },
    testPerClassIoU: { type: 'array', items: { type: 'number', nullable: true, minimum: 0, maximum: 1 } as never },
    testPixelAccuracy: { type: 'number', minimum: 0, maximum: 1 },
    rewardMIoUAfterLabeling: { type: 'number', minimum: 0, maximum: 1 },
    rewardMIoUFinal: { type: 'number', minimum: 0, maximum: 1 },
    finalTrainingEpochs: { type: 'integer', minimum: 0 },
    labeledClassHistogram: { type: 'array', items: { type: 'number', minimum: 0 } },
    labeledClassBalanceEntropy: { type: 'number', minimum: 0, maximum: 1 },
    timings: { type: 'object', additionalProperties: false, required: ['labelingMs', 'finalTrainMs', 'testMs'], properties: { labelingMs: num, finalTrainMs: num, testMs: num } },
    backend: { type: 'string' },
    inference: { type: 'string', enum: ['tfjs', 'ort'], nullable: true } as never,
    training: { type: 'string', enum: ['tfjs', 'ort'], nullable: true } as never,
    versions: { type: 'object', additionalProperties: false, required: ['regiongym', 'tfjs', 'node'], properties: { regiongym: { type: 'string' }, tfjs: { type: 'string' }, node: { type: 'string' } } },
    finishedAt: { type: 'string' },
  },
};

const validate = new Ajv({ allErrors: true }).compile(runRecordSchema);

export function checkRunRecord(x: unknown, where = 'run record'): RunRecord {
  if (!validate(x)) {
    const errs = (validate.errors ?? []).map((e) => `${e.instancePath.slice(1).replaceAll('/', '.') || '(top level)'}: ${e.message}`);
    throw new ConfigError(`${where} is invalid: ${errs.join('; ')}`);
  }
  return x;
}

export function runKey(r: Pick<RunRecord, 'protocol' | 'agent' | 'seed' | 'budgetRegions'>): string {
  return `${r.protocol}|${r.agent}|${r.seed}|${r.budgetRegions}`;
}

/** Read a JSONL file of run records; every line is validated and a bad one is named by line number. */
export function readRunRecords(path: string): RunRecord[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .map((line, i) => ({ line, i }))
    .filter(({ line }) => line.trim().length > 0)
    .map(({ line, i }) => {
      let doc: unknown;
      try {
        doc = JSON.parse(line);
      } catch {
        throw new ConfigError(`${path}:${i + 1} is not JSON`);
      }
      return checkRunRecord(doc, `${path}:${i + 1}`);
    });
}
