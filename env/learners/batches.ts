/**
 * Training batches: seeded shuffles, crops (random, or containing a region's centre as in RALIS'
 * RandomCropRegion), horizontal flips. Crops are cut from bytes in JS (cheap next to the convs) and
 * turned into one tensor per batch.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../core/rng.ts';
import type { SegSample } from '../data/dataset.ts';
import { normaliseImages } from './unet/net.ts';

/** One training item: a sample, its (possibly region-masked) label map, and an optional crop anchor. */
export interface TrainItem {
  /** The image (its `label` is not read: `label` below is the training target). */
  readonly sample: SegSample;
  /** The training target (labels ≥ C unsupervised). Never changed in place once trained on: learners may cache what they read from it (a new labelling makes a new array). */
  readonly label: Uint8Array;
  /** Pixel (row, col) the crop must contain: the centre of a labelled region. */
  readonly anchor?: readonly [number, number];
}

export interface CropSpec {
  /** Crop size; at most the image size (then the whole image is used). */
  readonly height: number;
  readonly width: number;
  readonly flip: boolean;
}

/** Top-left corner of a crop of size c in [0, n) containing `centre` (inclusive ends, as the paper). */
function cropStart(rng: Rng, n: number, c: number, centre: number | undefined): number {
  if (c >= n) return 0;
  if (centre === undefined) return rng.int(n - c + 1);
  const lo = Math.max(0, centre - c + 1);
  const hi = Math.min(centre, n - c);
  return lo + rng.int(hi - lo + 1);
}

/** One batch of crops as plain arrays: RGB bytes [B, h, w, 3] and labels [B, h, w]. */
export interface CropBatch {
  readonly bytes: Uint8Array;
  readonly labels: Int32Array;
  readonly batch: number;
  readonly height: number;
  readonly width: number;
}

/** Cut one batch of crops (seeded positions and flips). */
export function cropBatch(items: readonly TrainItem[], imageH: number, imageW: number, crop: CropSpec, rng: Rng): CropBatch {
  const h = Math.min(crop.height, imageH);
  const w = Math.min(crop.width, imageW);
  const B = items.length;
  const img = new Uint8Array(B * h * w * 3);
  const lab = new Int32Array(B * h * w);
  items.forEach((item, b) => {
    const y0 = cropStart(rng, imageH, h, item.anchor?.[0]);
    const x0 = cropStart(rng, imageW, w, item.anchor?.[1]);
    const flip = crop.flip && rng.next() < 0.5;
    const image = item.sample.image;
    for (let y = 0; y < h; y++) {
      const srcRow = (y0 + y) * imageW;
      const dstRow = (b * h + y) * w;
      for (let x = 0; x < w; x++) {
        const sx = x0 + (flip ? w - 1 - x : x);
        const s = srcRow + sx;
        const d = dstRow + x;
        lab[d] = item.label[s]!;
        img[d * 3] = image[s * 3]!;
        img[d * 3 + 1] = image[s * 3 + 1]!;
        img[d * 3 + 2] = image[s * 3 + 2]!;
      }
    }
  });
  return { bytes: img, labels: lab, batch: B, height: h, width: w };
}

/** A crop batch as tensors {x: [B, h, w, 3] normalised, y: [B, h, w] int32}. */
export function batchTensors(b: CropBatch): { x: tf.Tensor4D; y: tf.Tensor3D } {
  return { x: normaliseImages(b.bytes, b.batch, b.height, b.width), y: tf.tensor3d(b.labels, [b.batch, b.height, b.width], 'int32') };
}

/** Seeded shuffle of item indices split into batches (the last partial batch is kept, as the paper). */
export function shuffledBatches(n: number, batchSize: number, rng: Rng): Int32Array[] {
  const order = rng.permutation(n);
  const batches: Int32Array[] = [];
  for (let i = 0; i < n; i += batchSize) batches.push(order.slice(i, Math.min(n, i + batchSize)));
  return batches;
}

/** Whether any item has a supervised pixel (a label below `ignoreFrom`, the class count). */
export function anySupervised(items: readonly TrainItem[], ignoreFrom: number): boolean {
  return items.some((it) => it.label.some((l) => l < ignoreFrom));
}
