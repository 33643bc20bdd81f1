/**
 * Regions: a non-overlapping grid tiling of every image (docs/method.md §2.1). A region id is
 * `image * regionsPerImage + r`, with r enumerated x-major then y (column by column), as the paper's
 * code orders the state-set regions. Images of one split share one grid.
 */
import { ConfigError } from '../core/errors.ts';

export interface RegionGrid {
  readonly imageH: number;
  readonly imageW: number;
  readonly regionH: number;
  readonly regionW: number;
  readonly rows: number;
  readonly cols: number;
  readonly perImage: number;
}

export function makeGrid(imageH: number, imageW: number, regionH: number, regionW: number): RegionGrid {
  for (const [name, v] of [['regionH', regionH], ['regionW', regionW]] as const) {
    if (!Number.isInteger(v) || v < 8) throw new ConfigError(`${name} must be an integer ≥ 8 (the entropy is pooled to 8×8), got ${v}`);
  }
  if (imageH % regionH !== 0 || imageW % regionW !== 0) {
    throw new ConfigError(
      `region ${regionH}×${regionW} does not tile the ${imageH}×${imageW} image exactly; ` +
        `pick a region height dividing ${imageH} and a width dividing ${imageW} (or change the scale)`,
    );
  }
  const rows = imageH / regionH;
  const cols = imageW / regionW;
  return { imageH, imageW, regionH, regionW, rows, cols, perImage: rows * cols };
}

/** Top-left pixel (row y0, column x0) of region r (0 ≤ r < perImage) inside its image. */
export function regionOrigin(g: RegionGrid, r: number): { y0: number; x0: number } {
  const col = Math.floor(r / g.rows);
  const row = r % g.rows;
  return { y0: row * g.regionH, x0: col * g.regionW };
}

/** Centre pixel (row, col) of region r, as RandomCropRegion uses it (y + h//2, x + w//2). */
export function regionCentre(g: RegionGrid, r: number): [number, number] {
  const { y0, x0 } = regionOrigin(g, r);
  return [y0 + (g.regionH >> 1), x0 + (g.regionW >> 1)];
}

export function splitRegionId(g: RegionGrid, id: number): { image: number; region: number } {
  return { image: Math.floor(id / g.perImage), region: id % g.perImage };
}

/**
 * Training target for one image: ground truth inside its labelled regions, `ignore` elsewhere
 * (docs/method.md §2.5).
 */
export function trainingMask(g: RegionGrid, label: Uint8Array, labeledRegions: Iterable<number>, ignore: number): Uint8Array {
  const mask = new Uint8Array(label.length).fill(ignore);
  for (const r of labeledRegions) {
    const { y0, x0 } = regionOrigin(g, r);
    for (let y = y0; y < y0 + g.regionH; y++) {
      const row = y * g.imageW;
      mask.set(label.subarray(row + x0, row + x0 + g.regionW), row + x0);
    }
  }
  return mask;
}

/**
 * Ground-truth class distribution of a region over C+1 labels (void included), absent labels 1e-7,
 * normalised to sum 1 — the `balance_cl` entries of docs/method.md §2.4 that feed the KL-to-labeled
 * feature. Also returns the raw pixel counts for the labelled-pixel histogram.
 */
export function regionClassDistribution(g: RegionGrid, label: Uint8Array, r: number, numClasses: number): { dist: Float64Array; counts: Float64Array } {
  const counts = new Float64Array(numClasses + 1);
  const { y0, x0 } = regionOrigin(g, r);
  for (let y = y0; y < y0 + g.regionH; y++) for (let x = x0; x < x0 + g.regionW; x++) counts[Math.min(label[y * g.imageW + x]!, numClasses)]! += 1;
  const dist = counts.map((c) => (c === 0 ? 1e-7 : c));
  const total = dist.reduce((a, b) => a + b, 0);
  return { dist: dist.map((v) => v / total), counts };
}

/**
 * The labelled set of one run: per-image sets and the global labelling order. Only grows.
 */
export class LabeledRegions {
  private readonly perImage: Set<number>[];
  private readonly ordered: number[] = [];

  constructor(
    readonly grid: RegionGrid,
    readonly numImages: number,
  ) {
    this.perImage = Array.from({ length: numImages }, () => new Set<number>());
  }

  get size(): number {
    return this.ordered.length;
  }

  has(id: number): boolean {
    const { image, region } = splitRegionId(this.grid, id);
    return this.perImage[image]?.has(region) ?? false;
  }

  add(id: number): void {
    const { image, region } = splitRegionId(this.grid, id);
    const set = this.perImage[image];
    if (!set) throw new RangeError(`region id ${id} is outside ${this.numImages} images × ${this.grid.perImage} regions`);
    if (set.has(region)) throw new RangeError(`region ${id} is already labelled`);
    set.add(region);
    this.ordered.push(id);
  }

  /** Labelled region indices (within the image) of one image. */
  ofImage(image: number): ReadonlySet<number> {
    return this.perImage[image]!;
  }

  /** Unlabelled region count of one image. */
  unlabeledCount(image: number): number {
    return this.grid.perImage - this.perImage[image]!.size;
  }

  /** Region ids in labelling order. */
  ids(): readonly number[] {
    return this.ordered;
  }
}
