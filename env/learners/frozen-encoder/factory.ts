/**
 * The frozen-encoder learner in the registry:
 * `model: { name: "frozen-encoder", encoder?, layers?, stride?, head?, hidden?, dropout?, featureCache? }`.
 * Its features are computed once per (encoder, image size) and process (`prepare`), shared by every
 * learner, clone and worker thread, and cached on disk under the learner cache directory.
 */
import { accessSync, constants, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../../core/fs.ts';
import type { CellDims } from './cache-file.ts';
import { ConfigError } from '../../../core/errors.ts';
import type { SegDataset, SegSample } from '../../data/dataset.ts';
import type { LearnerSpec } from '../learner.ts';
import type { LearnerContext, LearnerFactory } from '../learner.ts';
import { CENTERNET, Encoder, encoderHash, type EncoderLayer, type EncoderSpec } from './encoder.ts';
import { FeatureStore, adoptFeatureStores, featureStore, fillStore, registerFeatureStore, sharedFeatureStores, storeKey, type FeatureStoreDescriptor, type FillProgress } from './feature-store.ts';
import { FROZEN_ENCODER_NAME, FrozenEncoderLearner } from './learner.ts';

export interface FrozenEncoderSpec extends LearnerSpec {
  /** 'centernet' (the shipped COCO CenterNet) or a tfjs graph model directory. */
  readonly encoder: string;
  readonly layers: readonly EncoderLayer[];
  /** Hypercolumn stride in encoder-input pixels. */
  readonly stride: number;
  readonly head: 'linear' | 'mlp';
  /** Hidden width of the MLP head (0 for linear). */
  readonly hidden: number;
  /** Dropout on the head's input channels (training and BALD's MC passes). */
  readonly dropout: number;
  /** Input transform: pixel · pixelScale + pixelOffset. */
  readonly pixelScale: number;
  readonly pixelOffset: number;
  /** Keep computed features on disk under the learner cache directory (false: memory only). */
  readonly featureCache: boolean;
}

export const FROZEN_DEFAULTS = { encoder: 'centernet', layers: CENTERNET.layers, stride: CENTERNET.stride, head: 'linear', dropout: 0.2, pixelScale: 1, pixelOffset: 0, featureCache: true } as const;

export function resolveFrozen(spec: LearnerSpec): FrozenEncoderSpec {
  const s = { ...FROZEN_DEFAULTS, ...spec, name: FROZEN_ENCODER_NAME } as FrozenEncoderSpec;
  const hidden = s.head === 'mlp' ? ((spec.hidden as number | undefined) ?? 256) : 0;
  if (s.head === 'mlp' && spec.hidden === 0) throw new ConfigError('model.hidden = 0: an MLP head needs a hidden layer of 1 … 4096 units (or use head: "linear")');
  if (s.head === 'linear' && spec.hidden !== undefined && spec.hidden !== 0) throw new ConfigError(`model.hidden = ${JSON.stringify(spec.hidden)}: a linear head has no hidden layer (use head: "mlp")`);
  return { ...s, hidden };
}

function encoderSpec(s: FrozenEncoderSpec): EncoderSpec {
  return { model: s.encoder, layers: s.layers, stride: s.stride, pixelScale: s.pixelScale, pixelOffset: s.pixelOffset };
}

const hashes = new Map<string, string>();

/** The encoder's content hash (its files, nodes, stride), memoised per spec. */
function hashOf(e: EncoderSpec): string {
  const k = JSON.stringify(e);
  let h = hashes.get(k);
  if (h === undefined) hashes.set(k, (h = encoderHash(e)));
  return h;
}

/** Every distinct image of a data set (all splits). */
export function allSamples(data: SegDataset): SegSample[] {
  return [...new Set(Object.values(data.splits).flat())];
}

/** The feature directory of an encoder and image size under a learner cache directory. */
export function featureCacheDir(cacheDir: string, hash: string, height: number, width: number): string {
  return join(cacheDir, 'features', `${hash}-${height}x${width}`);
}

/** A usable cache directory, or a ConfigError saying what to do. */
function checkWritable(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (e) {
    throw new ConfigError(`feature cache directory ${dir} is not writable (${(e as Error).message.split('\n')[0]}): pass another --cache-dir or --no-feature-cache`);
  }
}

/** The hypercolumn's dims: from the cache's meta.json when there, else from one probe run of the encoder (then written there). */
async function featureDims(e: EncoderSpec, data: SegDataset, cacheDir: string | null): Promise<CellDims> {
  const meta = cacheDir ? join(cacheDir, 'meta.json') : null;
  if (meta && existsSync(meta)) {
    try {
      const d = JSON.parse(readFileSync(meta, 'utf8')) as CellDims;
      if ([d.gridH, d.gridW, d.channels].every((v) => Number.isInteger(v) && v > 0)) return { gridH: d.gridH, gridW: d.gridW, channels: d.channels };
    } catch {
      // unreadable: probe the encoder again and rewrite it
    }
  }
  const enc = await Encoder.load(e, data.height, data.width);
  const { gridH, gridW, channels } = enc.geometry;
  enc.dispose();
  if (meta) {
    mkdirSync(cacheDir!, { recursive: true });
    writeFileAtomic(meta, JSON.stringify({ gridH, gridW, channels, encoder: e }, null, 1));
  }
  return { gridH, gridW, channels };
}

/** The store of this spec and data set, filled: adopted from the parent thread, or built here. */
export async function ensureFeatures(spec: FrozenEncoderSpec, ctx: LearnerContext, onProgress?: (p: FillProgress) => void): Promise<FeatureStore> {
  const e = encoderSpec(spec);
  const { data } = ctx;
  const key = storeKey(hashOf(e), data.height, data.width);
  const samples = allSamples(data);
  let store = featureStore(key);
  if (store && samples.every((s) => store!.has(s))) return store;
  const cacheDir = spec.featureCache && ctx.cacheDir ? featureCacheDir(ctx.cacheDir, hashOf(e), data.height, data.width) : null;
  if (cacheDir) checkWritable(cacheDir);
  if (!store || !samples.every((s) => store!.covers(s))) {
    store = FeatureStore.create(key, await featureDims(e, data, cacheDir), samples);
    registerFeatureStore(store);
  }
  await fillStore(store, samples, { spec: e, imageH: data.height, imageW: data.width }, { cacheDir, onProgress });
  return store;
}

export const frozenEncoderFactory: LearnerFactory = {
  name: FROZEN_ENCODER_NAME,
  description: 'a frozen pretrained encoder (default: COCO MobileNetV3 CenterNet, 656-channel hypercolumn) run once per image, with a trainable linear or MLP head',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['name'],
    properties: {
      name: { const: FROZEN_ENCODER_NAME },
      encoder: { type: 'string', minLength: 1 },
      layers: {
        type: 'array',
        minItems: 1,
        items: { type: 'object', additionalProperties: false, required: ['node', 'pool'], properties: { node: { type: 'string', minLength: 1 }, pool: { enum: ['avg', 'max'] } } },
      },
      stride: { type: 'integer', minimum: 1 },
      head: { enum: ['linear', 'mlp'] },
      hidden: { type: 'integer', minimum: 0, maximum: 4096 },
      dropout: { type: 'number', minimum: 0, exclusiveMaximum: 1 },
      pixelScale: { type: 'number' },
      pixelOffset: { type: 'number' },
      featureCache: { type: 'boolean' },
    },
  },
  resolve: resolveFrozen,
  // encoded features live in shared memory: worker threads adopt them instead of encoding again
  shared: () => sharedFeatureStores(),
  adoptShared: (d) => adoptFeatureStores(d as FeatureStoreDescriptor[]),
  withoutDiskCache: (spec) => ({ ...spec, featureCache: false }),
  async prepare(spec, ctx, onProgress) {
    await ensureFeatures(resolveFrozen(spec), ctx, onProgress && ((p) => onProgress(p.done, p.total)));
  },
  async create(spec, ctx, rng) {
    const s = resolveFrozen(spec);
    const store = await ensureFeatures(s, ctx);
    const config = { inputs: store.dims.channels, hidden: s.hidden, classes: ctx.data.numClasses, dropoutRate: s.dropout };
    return FrozenEncoderLearner.create(s, store, config, ctx.train, ctx.data.height, ctx.data.width, rng);
  },
  async load(dir, spec, ctx) {
    const s = resolveFrozen(spec);
    const store = await ensureFeatures(s, ctx);
    return FrozenEncoderLearner.load(dir, s, store, ctx.train, ctx.data.height, ctx.data.width);
  },
};
