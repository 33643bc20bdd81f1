/**
 * Learners by name, as a protocol's `model.name` gives them. A new learner is one folder (its net,
 * graphs and `LearnerFactory`) plus one `registerLearner` line below (or in the user's own module
 * before running).
 */
import { ConfigError } from '../../core/errors.ts';
import type { Rng } from '../../core/rng.ts';
import type { SegDataset } from '../data/dataset.ts';
import type { LearnerSpec, SegLearner } from './learner.ts';
import type { SegTrainSettings } from './train-settings.ts';
import { unetFactory } from './unet/factory.ts';
import { frozenEncoderFactory } from './frozen-encoder/factory.ts';

/** What a learner is made for: its data set (geometry, classes, images), training settings, caches. */
export interface LearnerContext {
  readonly data: SegDataset;
  readonly train: SegTrainSettings;
  /** A directory the learner may keep derived data in across runs (a feature cache); null: none. */
  readonly cacheDir: string | null;
}

export interface LearnerFactory {
  readonly name: string;
  /** One line for listings. */
  readonly description: string;
  /** JSON schema of the protocol's `model` object for this learner (with `name`). */
  readonly schema: object;
  /** The spec with every default filled in: what run records carry. */
  resolve(spec: LearnerSpec): LearnerSpec;
  /** A learner with freshly initialised trainable weights (seeded). */
  create(spec: LearnerSpec, ctx: LearnerContext, rng: Rng): Promise<SegLearner>;
  /** A learner saved by `save(dir)`. */
  load(dir: string, spec: LearnerSpec, ctx: LearnerContext): Promise<SegLearner>;
  /**
   * Whether its gradients follow `--training` (a native graph exists): runs files check one engine per
   * board by it. Default true. (The frozen encoder's native step needs crops aligned to its feature
   * grid, as every shipped geometry is; an unaligned one trains on tfjs and says so in its records.)
   */
  readonly nativeTraining?: boolean;
  /** Work every run of this spec shares, done once up front (encoding a data set's features). */
  prepare?(spec: LearnerSpec, ctx: LearnerContext, onProgress?: (done: number, total: number) => void): Promise<void>;
}

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
