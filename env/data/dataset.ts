/**
 * The data contract every loader fulfils. Images are RGB bytes (row-major [H, W, 3]); labels are class
 * indices [H, W] with `ignoreIndex` (= numClasses, as in the paper) for void / unlabeled pixels.
 * All images of a data set share one size, so the region grid is the same for every image.
 */
export interface SegSample {
  readonly id: string;
  /** RGB bytes, row-major [H, W, 3]. */
  readonly image: Uint8Array;
  /** Class index per pixel, row-major [H, W]; `ignoreIndex` marks void. */
  readonly label: Uint8Array;
}

/** Split roles of the RALIS protocol (docs/method.md §1.2). Loaders provide at least train/val/test. */
export type SplitName = 'train' | 'val' | 'test' | 'd_t' | 'd_s' | 'd_v' | 'd_r';

export interface SegDataset {
  readonly name: string;
  readonly height: number;
  readonly width: number;
  readonly numClasses: number;
  /** Label value that carries no supervision (void). Equal to numClasses. */
  readonly ignoreIndex: number;
  readonly classNames: readonly string[];
  readonly splits: Readonly<Partial<Record<SplitName, readonly SegSample[]>>>;
}

/** CamVid's 11 classes in SegNet order; index 11 is void. */
export const CAMVID_CLASSES = [
  'sky',
  'building',
  'pole',
  'road',
  'sidewalk',
  'tree',
  'sign',
  'fence',
  'car',
  'pedestrian',
  'bicyclist',
] as const;

/** Return a split or throw a message naming what the data set does have. */
export function getSplit(ds: SegDataset, name: SplitName): readonly SegSample[] {
  const split = ds.splits[name];
  if (!split) {
    throw new RangeError(`data set '${ds.name}' has no split '${name}'; it has ${Object.keys(ds.splits).join(', ')}`);
  }
  return split;
}

/** Pixel count per label value (0..numClasses, the last bin is void) over samples. */
export function labelHistogram(samples: readonly SegSample[], numClasses: number): Float64Array {
  const hist = new Float64Array(numClasses + 1);
  for (const s of samples) for (const v of s.label) hist[Math.min(v, numClasses)]! += 1;
  return hist;
}
