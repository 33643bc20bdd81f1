/**
 * Loading protocols: by name (env/protocol/protocols/NAME.json) or from a file path, validated with ajv
 * before anything runs. Errors name the field, the value and what is allowed.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject } from 'ajv';
import { datasetNames } from '../data/registry.ts';
import { ConfigError } from '../../core/errors.ts';
import { learnerFactory, learnerSpecOf, resolveLearnerSpec } from '../learners/registry.ts';
import type { LearnerSpec } from '../learners/learner.ts';
import { isSplitStart, protocolSchema, type Protocol } from './schema.ts';

export type { Protocol } from './schema.ts';

export const PROTOCOL_DIR = join(dirname(fileURLToPath(import.meta.url)), 'protocols');

const ajv = new Ajv({ allErrors: true, strict: true });
const validate = ajv.compile(protocolSchema);

function describe(e: ErrorObject, doc: unknown): string {
  const field = e.instancePath ? e.instancePath.slice(1).replaceAll('/', '.') : '(top level)';
  const value = e.instancePath.split('/').slice(1).reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], doc);
  const shown = JSON.stringify(value);
  switch (e.keyword) {
    case 'enum':
      return `${field} = ${shown}: allowed ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'additionalProperties':
      return `${field}: unknown field '${(e.params as { additionalProperty: string }).additionalProperty}'`;
    case 'required':
      return `${field}: missing field '${(e.params as { missingProperty: string }).missingProperty}'`;
    default:
      return `${field} = ${shown}: ${e.message}`;
  }
}

const learnerValidators = new Map<string, ReturnType<typeof ajv.compile>>();

/** The protocol's learner with its defaults; the settings checked against the learner's own schema. */
export function protocolModel(p: Protocol, source = 'protocol'): LearnerSpec {
  const spec = learnerSpecOf(p.model);
  const factory = learnerFactory(spec.name);
  let check = learnerValidators.get(factory.name);
  if (!check) learnerValidators.set(factory.name, (check = ajv.compile(factory.schema)));
  if (!check(spec)) {
    const errs = (check.errors ?? []).map((e) => describe({ ...e, instancePath: `/model${e.instancePath}` }, p));
    throw new ConfigError(`${source} is invalid: ${errs.join('; ')}`);
  }
  return resolveLearnerSpec(spec);
}

/** Validate a parsed protocol, including the cross-field rules the schema cannot say. */
export function parseProtocol(doc: unknown, source = 'protocol'): Protocol {
  if (!validate(doc)) throw new ConfigError(`${source} is invalid: ${(validate.errors ?? []).map((e) => describe(e, doc)).join('; ')}`);
  const p = doc;
  // data sets are a registry (registerDataset): checked against what is registered now, not a fixed list
  if (!datasetNames().includes(p.data.name)) throw new ConfigError(`${source} is invalid: data.name = ${JSON.stringify(p.data.name)}: allowed ${datasetNames().map((n) => JSON.stringify(n)).join(', ')}`);
  p.model = protocolModel(p, source) as Protocol['model'];
  const sorted = [...p.budgets].sort((a, b) => a - b);
  if (sorted.some((b, i) => b !== p.budgets[i] || (i > 0 && b === sorted[i - 1]))) throw new ConfigError(`${source}: budgets = ${JSON.stringify(p.budgets)} must be strictly ascending`);
  const offGrid = [...p.budgets, p.policyBudget].find((b) => b % p.poolsPerStep !== 0);
  if (offGrid !== undefined) throw new ConfigError(`${source}: budget ${offGrid} is not a multiple of poolsPerStep = ${p.poolsPerStep} (the env labels whole steps)`);
  if (p.data.name === 'synthetic' && !p.data.synthetic) throw new ConfigError(`${source}: data.synthetic (seed and counts) is required when data.name is 'synthetic'`);
  if (p.finalTraining.from === 'start-model' && p.initialModel.evaluation === 'scratch') throw new ConfigError(`${source}: finalTraining.from = "start-model" needs a trained start (initialModel.evaluation is 'scratch')`);
  if (p.finalTraining.warmupEpochs && p.finalTraining.schedule === 'linear-decay') throw new ConfigError(`${source}: finalTraining.warmupEpochs = ${p.finalTraining.warmupEpochs} needs the constant schedule (schedule is "linear-decay")`);
  if (p.finalTraining.withStartSplit) {
    const start = p.initialModel.evaluation;
    if (!isSplitStart(start)) throw new ConfigError(`${source}: finalTraining.withStartSplit needs a start trained on a split (initialModel.evaluation is '${start}')`);
    const judged = (['evalPool', 'reward', 'test'] as const).find((r) => overlaps(start, p.splits[r]));
    if (judged) throw new ConfigError(`${source}: finalTraining.withStartSplit would train on '${start}', which shares images with splits.${judged} '${p.splits[judged]}'`);
    if (p.finalTraining.items !== 'whole-image') throw new ConfigError(`${source}: finalTraining.withStartSplit needs finalTraining.items = "whole-image" (got ${JSON.stringify(p.finalTraining.items ?? 'crop-per-image')})`);
  }
  if (p.splits.evalPool === p.splits.reward || p.splits.evalPool === p.splits.test) throw new ConfigError(`${source}: splits.evalPool '${p.splits.evalPool}' must differ from the reward and test splits`);
  const clash = splitOverlap(p.splits);
  if (clash) throw new ConfigError(`${source}: ${clash}`);
  return p;
}

/** Split roles that may hold the same images: 'train' is the union of d_t, d_s and d_v. */
const overlaps = (a: string, b: string) => a === b || (a === 'train' && b.startsWith('d_')) || (b === 'train' && a.startsWith('d_'));

/**
 * The five roles must be disjoint: a reward set that is the test set tunes on the test, a policy pool that
 * is the evaluation pool trains the policy on what it is judged on, and a state set inside a pool lets the
 * agent see its own candidates as "state". Null when they are, else what overlaps.
 */
export function splitOverlap(splits: Protocol['splits']): string | null {
  const roles = Object.entries(splits) as [keyof Protocol['splits'], string][];
  for (let i = 0; i < roles.length; i++)
    for (let j = i + 1; j < roles.length; j++)
      if (overlaps(roles[i]![1], roles[j]![1])) return `splits.${roles[i]![0]} '${roles[i]![1]}' and splits.${roles[j]![0]} '${roles[j]![1]}' share images: the policy pool, evaluation pool, state, reward and test splits must be disjoint`;
  return null;
}

export function protocolNames(): string[] {
  return readdirSync(PROTOCOL_DIR).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort();
}

/**
 * A shipped protocol by its name, never a path (null when there is none): for names read from run
 * records, which are data — a record naming '../../etc/passwd' or a FIFO must not make a command open it.
 */
export function shippedProtocol(name: string): Protocol | null {
  return protocolNames().includes(name) ? loadProtocol(join(PROTOCOL_DIR, `${name}.json`)) : null;
}

/** Shipped protocols' former names → their names now (scripts/rename-protocol.ts moved their records). */
export const RENAMED_PROTOCOLS: Readonly<Record<string, string>> = { 'camvid-ralis': 'camvid-ralis-cold-linear' };

/** A shipped protocol by name, or a JSON file by path. */
export function loadProtocol(nameOrPath: string): Protocol {
  const path = existsSync(nameOrPath) ? nameOrPath : join(PROTOCOL_DIR, `${nameOrPath}.json`);
  if (!existsSync(path)) {
    const renamed = Object.hasOwn(RENAMED_PROTOCOLS, nameOrPath) ? ` (it was renamed: now '${RENAMED_PROTOCOLS[nameOrPath]}', same settings)` : '';
    throw new ConfigError(`unknown protocol '${nameOrPath}'${renamed}: not a file, and not one of ${protocolNames().join(', ')}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ConfigError(`protocol file ${path} is not valid JSON: ${(e as Error).message}`);
  }
  return parseProtocol(doc, path);
}
