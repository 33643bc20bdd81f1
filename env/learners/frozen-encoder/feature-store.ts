/**
 * Encoder features computed once per image and shared: one SharedArrayBuffer of float16 hypercolumns
 * per (encoder, image size), read by every step, run and worker thread of a process (worker threads
 * adopt the parent's buffers: `sharedFeatureStores` / `adoptFeatureStores`), and a disk cache keyed
 * by encoder hash, geometry and image (id and content hash) so a second sweep starts without
 * encoding. Images are keyed by content, so an image in two splits is stored once.
 */
import { createHash } from 'node:crypto';
import { accessSync, constants, mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { SegSample } from '../../data/dataset.ts';
import { ConfigError, FeatureCacheError } from '../../../core/errors.ts';
import { encodeHalf } from '../../../nn/float16.ts';
import { readCacheFile, writeCacheFile, type CellDims } from './cache-file.ts';
import { Encoder } from './encoder.ts';
import { encodeInWorkers, type EncoderSetup } from './encode-pool.ts';
import type { FeatureStoreDescriptor } from './store-descriptor.ts';

export type { FeatureStoreDescriptor } from './store-descriptor.ts';

const contentKeys = new WeakMap<SegSample, string>();

/** Content hash of a sample's image (memoised per sample object). */
export function contentKey(s: SegSample): string {
  let k = contentKeys.get(s);
  if (k === undefined) contentKeys.set(s, (k = createHash('sha1').update(s.image).digest('hex').slice(0, 16)));
  return k;
}

/** Store key: the encoder's content hash and the image size. */
export function storeKey(encoderHash: string, height: number, width: number): string {
  return `${encoderHash}/${height}x${width}`;
}

export class FeatureStore {
  private readonly slots: Map<string, number>;
  private readonly halves: Uint16Array;
  private readonly filledFlags: Uint8Array;
  readonly cellSize: number;

  private constructor(readonly d: FeatureStoreDescriptor) {
    this.slots = new Map(d.contentKeys.map((k, i) => [k, i]));
    this.cellSize = d.dims.gridH * d.dims.gridW * d.dims.channels;
    this.halves = new Uint16Array(d.buffer);
    this.filledFlags = new Uint8Array(d.filled);
  }

  static create(key: string, dims: CellDims, samples: readonly SegSample[]): FeatureStore {
    const keys = [...new Set(samples.map(contentKey))];
    const size = dims.gridH * dims.gridW * dims.channels;
    return new FeatureStore({ key, dims, contentKeys: keys, buffer: new SharedArrayBuffer(keys.length * size * 2), filled: new SharedArrayBuffer(keys.length) });
  }

  get key(): string {
    return this.d.key;
  }

  get dims(): CellDims {
    return this.d.dims;
  }

  get size(): number {
    return this.d.contentKeys.length;
  }

  /** Bytes of feature memory (shared by every thread that adopted the store). */
  get bytes(): number {
    return this.d.buffer.byteLength;
  }

  has(s: SegSample): boolean {
    const slot = this.slots.get(contentKey(s));
    return slot !== undefined && this.filledFlags[slot] === 1;
  }

  covers(s: SegSample): boolean {
    return this.slots.has(contentKey(s));
  }

  /** The image's slot (its halves at slot · cellSize). */
  slot(s: SegSample): number {
    const slot = this.slots.get(contentKey(s));
    if (slot === undefined) throw new ConfigError(`image '${s.id}' is not in feature store ${this.key} (it holds ${this.size} images of another data set)`);
    return slot;
  }

  /** The image's float16 hypercolumn [gridH·gridW·channels], a view on the shared buffer. */
  view(s: SegSample): Uint16Array {
    const slot = this.slot(s);
    if (this.filledFlags[slot] !== 1) throw new ConfigError(`features of image '${s.id}' were never computed (call prepare first)`);
    return this.halves.subarray(slot * this.cellSize, (slot + 1) * this.cellSize);
  }

  /** Writable view of a slot, for filling. */
  slotView(slot: number): Uint16Array {
    return this.halves.subarray(slot * this.cellSize, (slot + 1) * this.cellSize);
  }

  markFilled(slot: number): void {
    this.filledFlags[slot] = 1;
  }

  isFilled(slot: number): boolean {
    return this.filledFlags[slot] === 1;
  }

  descriptor(): FeatureStoreDescriptor {
    return this.d;
  }

  static adopt(d: FeatureStoreDescriptor): FeatureStore {
    return new FeatureStore(d);
  }
}

const stores = new Map<string, FeatureStore>();

export function featureStore(key: string): FeatureStore | undefined {
  return stores.get(key);
}

export function registerFeatureStore(s: FeatureStore): void {
  stores.set(s.key, s);
}

/** Descriptors of every store of this thread, for a worker thread's workerData. */
export function sharedFeatureStores(): FeatureStoreDescriptor[] {
  return [...stores.values()].map((s) => s.descriptor());
}

/** Make the parent's stores this thread's own (no copy). */
export function adoptFeatureStores(ds: readonly FeatureStoreDescriptor[] | undefined): void {
  for (const d of ds ?? []) if (!stores.has(d.key)) stores.set(d.key, FeatureStore.adopt(d));
}

/** File of one image's cached hypercolumn. */
export function cachePath(dir: string, s: SegSample): string {
  const safe = s.id.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 80);
  return join(dir, `${safe}-${contentKey(s)}.f16`);
}

export interface FillProgress {
  readonly done: number;
  readonly total: number;
  readonly fromDisk: number;
  readonly encoded: number;
  /** Corrupt cache entries found and recomputed (their messages). */
  readonly recomputed: readonly string[];
}

export interface FillOptions {
  /** Feature cache directory of this store (null: memory only). */
  readonly cacheDir: string | null;
  /** Threads for encoding (each its own tfjs-wasm instance); default all cores. */
  readonly threads?: number;
  readonly onProgress?: (p: FillProgress) => void;
}

/**
 * Fill every slot of `samples` not yet filled: from the disk cache when a valid entry is there,
 * else by encoding (written to the cache). A corrupt entry is recomputed, never used.
 */
export async function fillStore(store: FeatureStore, samples: readonly SegSample[], encoder: EncoderSetup, o: FillOptions): Promise<FillProgress> {
  const todo = new Map<number, SegSample>();
  for (const s of samples) if (!store.has(s)) todo.set(store.slot(s), s);
  const recomputed: string[] = [];
  let fromDisk = 0;
  let done = store.size - todo.size;
  const report = (encoded: number) => o.onProgress?.({ done, total: store.size, fromDisk, encoded, recomputed });
  if (o.cacheDir) {
    try {
      mkdirSync(o.cacheDir, { recursive: true });
      accessSync(o.cacheDir, constants.W_OK);
    } catch (e) {
      throw new ConfigError(`feature cache directory ${o.cacheDir} is not writable (${(e as Error).message.split('\n')[0]}): pass another cache directory or --no-feature-cache`);
    }
    for (const [slot, s] of [...todo]) {
      try {
        if (readCacheFile(cachePath(o.cacheDir, s), store.dims, store.slotView(slot))) {
          store.markFilled(slot);
          todo.delete(slot);
          fromDisk++;
          done++;
        }
      } catch (e) {
        if (!(e instanceof FeatureCacheError)) throw e;
        recomputed.push(e.message);
      }
    }
    report(0);
  }
  if (todo.size === 0) return { done, total: store.size, fromDisk, encoded: 0, recomputed };
  const jobs = [...todo].map(([slot, sample]) => ({ slot, sample }));
  const threads = Math.max(1, Math.min(o.threads ?? availableParallelism(), jobs.length));
  let encoded = 0;
  const onEncoded = (slot: number) => {
    store.markFilled(slot);
    if (o.cacheDir) writeCacheFile(cachePath(o.cacheDir, todo.get(slot)!), store.dims, store.slotView(slot));
    encoded++;
    done++;
    report(encoded);
  };
  if (o.threads !== undefined || (threads > 1 && jobs.length >= 8)) {
    await encodeInWorkers(encoder, store.descriptor(), jobs, threads, onEncoded);
  } else {
    const enc = await Encoder.load(encoder.spec, encoder.imageH, encoder.imageW);
    try {
      for (const { slot, sample } of jobs) {
        encodeHalf(await enc.encode(sample.image), store.slotView(slot));
        onEncoded(slot);
      }
    } finally {
      enc.dispose();
    }
  }
  return { done, total: store.size, fromDisk, encoded, recomputed };
}
