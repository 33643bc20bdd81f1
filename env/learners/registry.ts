/**
 * Learners by name, as a protocol's `model.name` gives them. A new learner is one folder (its net,
 * graphs and `LearnerFactory`) plus one `registerLearner` line below (or in the user's own module
 * before running).
 */
import { ConfigError } from '../../core/errors.ts';
import type { Rng } from '../../core/rng.ts';
import type { LearnerContext, LearnerFactory, LearnerSpec, SegLearner } from './learner.ts';
import { unetFactory } from './unet/factory.ts';
import { frozenEncoderFactory } from './frozen-encoder/factory.ts';

export type { LearnerContext, LearnerFactory } from './learner.ts';

const factories = new Map<string, LearnerFactory>();

/** The learner a protocol without a `model` field uses: UNet-S from scratch (the project's first learner). */
export const DEFAULT_LEARNER: Readonly<LearnerSpec> = Object.freeze({ name: 'unet-s' });

/** A protocol's learner spec, or the default one. */
export const learnerSpecOf = (model: LearnerSpec | undefined | null): LearnerSpec => model ?? { ...DEFAULT_LEARNER };

export function registerLearner(f: LearnerFactory): void {
  if (!/^[a-z][a-z0-9-]*$/.test(f.name)) throw new ConfigError(`learner name '${f.name}' must be lower-case letters, digits and '-'`);
  factories.set(f.name, f);
}

export function learnerNames(): string[] {
  return [...factories.keys()];
}

export function learnerFactory(name: string): LearnerFactory {
  const f = factories.get(name);
  if (!f) throw new ConfigError(`unknown learner '${name}': registered learners are ${learnerNames().join(', ')}`);
  return f;
}

/** The spec with its learner's defaults (throws ConfigError for an unknown name). */
export function resolveLearnerSpec(spec: LearnerSpec): LearnerSpec {
  return learnerFactory(spec.name).resolve(spec);
}

export function createLearner(spec: LearnerSpec, ctx: LearnerContext, rng: Rng): Promise<SegLearner> {
  return learnerFactory(spec.name).create(resolveLearnerSpec(spec), ctx, rng);
}

export function loadLearner(dir: string, spec: LearnerSpec, ctx: LearnerContext): Promise<SegLearner> {
  return learnerFactory(spec.name).load(dir, resolveLearnerSpec(spec), ctx);
}

registerLearner(unetFactory);
registerLearner(frozenEncoderFactory);

/** Per learner, what worker threads share with this thread (learner.ts shared()): for a worker's workerData. */
export function sharedLearnerState(): Record<string, unknown> {
  return Object.fromEntries([...factories.values()].flatMap((f) => (f.shared ? [[f.name, f.shared()] as const] : [])));
}

/** In a worker thread: every learner adopts its share of the parent's state. */
export function adoptLearnerState(state: Record<string, unknown> | undefined): void {
  for (const [name, shared] of Object.entries(state ?? {})) factories.get(name)?.adoptShared?.(shared);
}
