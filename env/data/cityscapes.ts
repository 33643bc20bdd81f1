/**
 * Cityscapes (leftImg8bit/ + gtFine/, fine annotations): labelIds are mapped to the 19 train ids;
 * every other id becomes the ignore index 19 (docs/method.md §1.1). Resized once on load.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DataError } from '../core/errors.ts';
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
  return { name: `cityscapes@${opts.scale}`, ...size, numClasses: 19, ignoreIndex: IGNORE, classNames: CITYSCAPES_CLASSES, splits };
}
