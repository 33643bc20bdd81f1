/**
 * Cityscapes (leftImg8bit/ + gtFine/, fine annotations): labelIds are mapped to the 19 train ids;
 * every other id becomes the ignore index 19 (docs/method.md §1.1). Resized once on load.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DataError } from '../../core/errors.ts';
import { Rng } from '../../core/rng.ts';
import type { SegDataset, SegSample, SplitName } from './dataset.ts';
import { readPngChannel0, readPngRgb } from './png.ts';
import { resizeBilinear, resizeNearest, scaledSize } from './resize.ts';

export const CITYSCAPES_CLASSES = [
  'road', 'sidewalk', 'building', 'wall', 'fence', 'pole', 'traffic light', 'traffic sign', 'vegetation', 'terrain',
  'sky', 'person', 'rider', 'car', 'truck', 'bus', 'train', 'motorcycle', 'bicycle',
] as const;
const IGNORE = 19;

/** labelId → trainId for the 19 evaluated classes (the official cityscapesScripts table). */
const TRAIN_ID_OF: Readonly<Record<number, number>> = {
  7: 0, 8: 1, 11: 2, 12: 3, 13: 4, 17: 5, 19: 6, 20: 7, 21: 8, 22: 9, 23: 10, 24: 11, 25: 12, 26: 13, 27: 14, 28: 15, 31: 16, 32: 17, 33: 18,
};

/** A 256-entry lookup table: every labelId not in the table maps to IGNORE. */
export const CITYSCAPES_LABEL_LUT: Uint8Array = (() => {
  const lut = new Uint8Array(256).fill(IGNORE);
  for (const [id, train] of Object.entries(TRAIN_ID_OF)) lut[Number(id)] = train;
  return lut;
})();

export interface CityscapesOptions {
  root: string;
  scale: number;
  /** Which official splits to read (default train and val; val serves as test as in the paper). */
  splits?: readonly ('train' | 'val' | 'test')[];
}

interface LoadedSplit {
  samples: SegSample[];
  height: number;
  width: number;
}

function loadSplit(root: string, split: string, scale: number): LoadedSplit {
  const imgDir = join(root, 'leftImg8bit', split);
  if (!existsSync(imgDir)) throw new DataError(`Cityscapes folder ${imgDir} is missing`);
  const out: LoadedSplit = { samples: [], height: 0, width: 0 };
  for (const city of readdirSync(imgDir).sort()) {
    for (const file of readdirSync(join(imgDir, city)).sort()) {
      if (!file.endsWith('_leftImg8bit.png')) continue;
      const stem = file.slice(0, -'_leftImg8bit.png'.length);
      const imagePath = join(imgDir, city, file);
      const labelPath = join(root, 'gtFine', split, city, `${stem}_gtFine_labelIds.png`);
      if (!existsSync(labelPath)) throw new DataError(`label file ${labelPath} is missing for ${imagePath}`);
      const img = readPngRgb(imagePath);
      const raw = readPngChannel0(labelPath);
      if (raw.width !== img.width || raw.height !== img.height) {
        throw new DataError(`${labelPath} is ${raw.width}×${raw.height} but ${imagePath} is ${img.width}×${img.height}`);
      }
      const label = raw.values.map((v) => CITYSCAPES_LABEL_LUT[v]!);
      const { height, width } = scaledSize(img.height, img.width, scale);
      if (out.samples.length > 0 && (height !== out.height || width !== out.width)) {
        throw new DataError(`${imagePath} is ${img.width}×${img.height}; all Cityscapes images must share one size`);
      }
      out.height = height;
      out.width = width;
      out.samples.push({
        id: stem,
        image: scale === 1 ? img.rgb : resizeBilinear(img.rgb, img.height, img.width, 3, height, width),
        label: scale === 1 ? label : resizeNearest(label, raw.height, raw.width, height, width),
      });
    }
  }
  return out;
}

/** The paper's Cityscapes role sizes out of the 2975 official train images (docs: ralis-spec §1.2). */
const PAPER_ROLE_SIZES = { d_t: 150, d_s: 10, d_r: 200 } as const;
const PAPER_TRAIN_IMAGES = 2975;

/**
 * The RALIS roles, all from the official train split: D_T (policy pool), D_S (state), D_R (reward) and
 * D_V (evaluation pool). From `<root>/ralis-splits.json` ({"d_t": [stems], "d_s": …, "d_r": …, "d_v": …},
 * the paper's lists) when present, else a seeded partition of the sorted train stems into the paper's
 * sizes (150 / 10 / 200 / the rest; proportionally fewer, at least 1 each, in a smaller folder). One
 * departure: the paper's D_S lies inside D_V; here the state images are removed from D_V, so every
 * role is disjoint (a state image could otherwise be labelled as a candidate). Null under 4 train images
 * without a split file.
 */
export function ralisRoles(root: string, train: readonly SegSample[]): Record<'d_t' | 'd_s' | 'd_r' | 'd_v', SegSample[]> | null {
  const byId = new Map(train.map((s) => [s.id, s]));
  const file = join(root, 'ralis-splits.json');
  let lists: Record<'d_t' | 'd_s' | 'd_r' | 'd_v', string[]>;
  if (existsSync(file)) {
    let doc: Record<string, unknown>;
    try {
      doc = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    } catch (e) {
      throw new DataError(`${file} is not valid JSON: ${(e as Error).message}`);
    }
    const list = (k: string) => {
      const v = doc[k];
      if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new DataError(`${file}: "${k}" must be a list of image stems`);
      const missing = v.find((x) => !byId.has(x));
      if (missing) throw new DataError(`${file}: "${k}" names ${missing}, which is not an image of the train split under ${root}`);
      return v as string[];
    };
    const dS = list('d_s');
    lists = { d_t: list('d_t'), d_s: dS, d_r: list('d_r'), d_v: list('d_v').filter((x) => !dS.includes(x)) };
  } else {
    const stems = [...byId.keys()].sort();
    // too few images for four roles: the data set has train/val/test only (a protocol naming d_t says so)
    if (stems.length < 4) return null;
    const order = [...new Rng(0).fork('cityscapes-ralis-roles').permutation(stems.length)].map((i) => stems[i]!);
    const size = (n: number) => Math.max(1, Math.round((n * stems.length) / PAPER_TRAIN_IMAGES));
    const [t, st, r] = [size(PAPER_ROLE_SIZES.d_t), size(PAPER_ROLE_SIZES.d_s), size(PAPER_ROLE_SIZES.d_r)];
    lists = { d_t: order.slice(0, t), d_s: order.slice(t, t + st), d_r: order.slice(t + st, t + st + r), d_v: order.slice(t + st + r) };
    if (lists.d_v.length === 0) throw new DataError(`Cityscapes train split under ${root} is too small for an evaluation pool`);
  }
  return { d_t: lists.d_t.map((x) => byId.get(x)!), d_s: lists.d_s.map((x) => byId.get(x)!), d_r: lists.d_r.map((x) => byId.get(x)!), d_v: lists.d_v.map((x) => byId.get(x)!) };
}

export function loadCityscapes(opts: CityscapesOptions): SegDataset {
  const root = resolve(opts.root);
  const splits: Partial<Record<SplitName, SegSample[]>> = {};
  let size: { height: number; width: number } | undefined;
  for (const s of opts.splits ?? ['train', 'val']) {
    const loaded = loadSplit(root, s, opts.scale);
    if (size && loaded.samples.length > 0 && (size.height !== loaded.height || size.width !== loaded.width)) {
      throw new DataError(`Cityscapes split '${s}' has images of ${loaded.width}×${loaded.height}, others ${size.width}×${size.height}`);
    }
    if (loaded.samples.length > 0) size = { height: loaded.height, width: loaded.width };
    splits[s] = loaded.samples;
  }
  if (!size) throw new DataError(`no Cityscapes images found under ${root}`);
  if (!splits.test && splits.val) splits.test = splits.val; // the paper tests on the official val split
  const roles = splits.train ? ralisRoles(root, splits.train) : null;
  if (roles) Object.assign(splits, roles);
  return { name: `cityscapes@${opts.scale}`, ...size, numClasses: 19, ignoreIndex: IGNORE, classNames: CITYSCAPES_CLASSES, splits };
}
