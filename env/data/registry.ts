/** Resolve a data set by name, as the CLI and protocols name them. */
import { ConfigError } from '../../core/errors.ts';
import type { SegDataset } from './dataset.ts';
import { loadCamVid } from './camvid.ts';
import { loadCityscapes } from './cityscapes.ts';
import { loadFolder } from './folder.ts';
import { makeSyntheticDataset, SYNTHETIC_DEFAULTS, type SyntheticOptions } from './synthetic.ts';
import { scaledSize } from './resize.ts';
import { isShared, SampleArena } from './sample-arena.ts';


/** A data set by name: its loader from a spec (scale, folder, synthetic settings). */
export interface DataEntry {
  readonly name: string;
  /** One line for listings and errors. */
  readonly description: string;
  load(spec: Omit<DataSpec, 'name'>): SegDataset;
}

const entries = new Map<string, DataEntry>();

/** Register a data set (the same pattern as registerAgent, registerLearner, registerScore). */
export function registerDataset(e: DataEntry): void {
  if (!/^[a-z][a-z0-9-]*$/.test(e.name)) throw new ConfigError(`data set name '${e.name}' must be lower-case letters, digits and '-'`);
  entries.set(e.name, e);
}

export function datasetNames(): string[] {
  return [...entries.keys()];
}

/** The shipped data sets: adding one is its loader file and one registerDataset call (here or in your own module). */
registerDataset({
  name: 'synthetic',
  description: 'built-in synthetic street scenes (no download)',
  load: (spec) => {
    const { height, width } = scaledSize(360, 480, spec.scale);
    return makeSyntheticDataset({ seed: spec.syntheticSeed ?? 0, height, width, counts: spec.syntheticCounts ?? DEFAULT_SYNTHETIC_COUNTS });
  },
});
registerDataset({ name: 'camvid', description: 'CamVid (SegNet layout; $REGIONGYM_CAMVID or --root)', load: (spec) => loadCamVid({ root: spec.root, scale: spec.scale }) });
registerDataset({
  name: 'folder',
  description: 'your own folder of images and label PNGs (env/data/folder.ts)',
  load: (spec) => {
    if (!spec.root) throw new ConfigError("a 'folder' data set needs its folder: data.root in the protocol, or --root DIR");
    return loadFolder({ root: spec.root, scale: spec.scale });
  },
});
registerDataset({
  name: 'cityscapes',
  description: 'Cityscapes (its own folder layout; --root)',
  load: (spec) => {
    if (!spec.root) throw new ConfigError('cityscapes needs a folder: pass --root DIR');
    return loadCityscapes({ root: spec.root, scale: spec.scale });
  },
});

/** A data set's registered name (a plain string: registered data sets extend the shipped ones). */
export type DataName = string;
/** The data sets shipped with regiongym (registered at load). */
export const DATA_NAMES: readonly string[] = datasetNames();

export interface DataSpec {
  name: DataName;
  /** Scale relative to the native size (synthetic uses CamVid's 480×360 as native). */
  scale: number;
  /** Folder of a real data set (camvid: defaults to $REGIONGYM_CAMVID). */
  root?: string;
  /** Synthetic only: generator seed and images per split. */
  syntheticSeed?: number;
  syntheticCounts?: SyntheticOptions['counts'];
}

/** The synthetic data set's default split sizes (synthetic.ts's defaults, one definition). */
export const DEFAULT_SYNTHETIC_COUNTS: SyntheticOptions['counts'] = SYNTHETIC_DEFAULTS.counts;

/** What crosses to a worker thread: every sample's bytes live in shared memory (no copy). */
export interface SharedDataset {
  readonly key: string;
  readonly data: SegDataset;
}

const loaded = new Map<string, SegDataset>();

function keyOf(spec: DataSpec): string {
  // only CamVid falls back to $REGIONGYM_CAMVID; every other real data set names its own folder
  const root = spec.name === 'synthetic' ? '' : spec.name === 'camvid' ? (spec.root ?? process.env.REGIONGYM_CAMVID ?? '') : (spec.root ?? '');
  return JSON.stringify([spec.name, spec.scale, root, spec.syntheticSeed ?? 0, spec.syntheticCounts ?? null]);
}

/** A data set by spec, loaded once per thread (or adopted from the parent thread). */
export function loadData(spec: DataSpec): SegDataset {
  const key = keyOf(spec);
  let ds = loaded.get(key);
  if (!ds) loaded.set(key, (ds = readData(spec)));
  return ds;
}

/** Move a data set's bytes into one SharedArrayBuffer so worker threads can adopt it without a copy (loaders that decode into a SampleArena already did). */
function toShared(ds: SegDataset): SegDataset {
  const all = [...new Set(Object.values(ds.splits).flat())];
  if (all.every(isShared)) return ds;
  const arena = new SampleArena(all.length, ds.height, ds.width);
  const moved = new Map(all.map((s) => [s, arena.adopt(s)]));
  return { ...ds, splits: Object.fromEntries(Object.entries(ds.splits).map(([k, v]) => [k, v!.map((s) => moved.get(s)!)])) };
}

/** Every data set this thread loaded, in shared memory, for a worker's workerData. */
export function sharedDatasets(): SharedDataset[] {
  return [...loaded].map(([key, ds]) => {
    const shared = toShared(ds);
    loaded.set(key, shared);
    return { key, data: shared };
  });
}

/** Use the parent thread's data sets (their bytes are shared, not copied). */
export function adoptDatasets(ds: readonly SharedDataset[] | undefined): void {
  for (const d of ds ?? []) if (!loaded.has(d.key)) loaded.set(d.key, d.data);
}

function readData(spec: DataSpec): SegDataset {
  const e = entries.get(spec.name);
  if (!e) throw new ConfigError(`unknown data set '${String(spec.name)}': registered data sets are ${datasetNames().join(', ')}`);
  return e.load(spec);
}
