/**
 * What a set of labelled regions is, for everything that trains on it or reports it: the env's
 * labelling step and its privileged probe, the final training after each budget, and the run record
 * (class histogram, overlay). Region ids are image · perImage + region over one pool of images.
 */
import type { Rng } from '../core/rng.ts';
import type { SegSample } from './data/dataset.ts';
import type { TrainItem } from './learners/learner.ts';
import { regionCentre, regionOrigin, splitRegionId, trainingMask, type RegionGrid } from './regions.ts';

/** One crop item per region id, centred on it, with its image's training mask. */
export function regionItems(grid: RegionGrid, pool: readonly SegSample[], masks: ReadonlyMap<number, Uint8Array>, ids: readonly number[]): TrainItem[] {
  return ids.map((id) => {
    const { image, region } = splitRegionId(grid, id);
    return { sample: pool[image]!, label: masks.get(image)!, anchor: regionCentre(grid, region) };
  });
}

export class LabelledSet {
  /** Image → its labelled regions, in labelling order (images in order of their first label). */
  readonly byImage = new Map<number, number[]>();
  private maskCache: Map<number, Uint8Array> | null = null;

  constructor(
    readonly grid: RegionGrid,
    readonly pool: readonly SegSample[],
    readonly ids: readonly number[],
    readonly numClasses: number,
    readonly ignore: number,
  ) {
    for (const id of ids) {
      const { image, region } = splitRegionId(grid, id);
      (this.byImage.get(image) ?? this.byImage.set(image, []).get(image)!).push(region);
    }
  }

  /** Training target per labelled image: ground truth in its labelled regions, `ignore` elsewhere. */
  get masks(): ReadonlyMap<number, Uint8Array> {
    this.maskCache ??= new Map([...this.byImage].map(([image, regions]) => [image, trainingMask(this.grid, this.pool[image]!.label, regions, this.ignore)]));
    return this.maskCache;
  }

  /** Every labelled region as a crop item (the labelling step's training on new regions, or on all). */
  items(ids: readonly number[] = this.ids): TrainItem[] {
    return regionItems(this.grid, this.pool, this.masks, ids);
  }

  /** The final training's epoch: one item per labelled image, centred on one of its labelled regions drawn from `rng`. */
  itemsOnePerImage(rng: Rng): TrainItem[] {
    const masks = this.masks;
    return [...this.byImage].map(([image, regions]) => ({ sample: this.pool[image]!, label: masks.get(image)!, anchor: regionCentre(this.grid, regions[rng.int(regions.length)]!) }));
  }

  /** Every labelled image whole, with its training mask (labelled regions' ground truth, `ignore` elsewhere). */
  wholeImages(): TrainItem[] {
    const masks = this.masks;
    return [...this.byImage.keys()].map((image) => ({ sample: this.pool[image]!, label: masks.get(image)! }));
  }

  /** Labelled pixels per class, void last (C + 1 bins). */
  classHistogram(): number[] {
    const g = this.grid, C = this.numClasses;
    const hist = new Array<number>(C + 1).fill(0);
    for (const id of this.ids) {
      const { image, region } = splitRegionId(g, id);
      const { y0, x0 } = regionOrigin(g, region);
      const label = this.pool[image]!.label;
      for (let y = y0; y < y0 + g.regionH; y++) for (let x = x0; x < x0 + g.regionW; x++) hist[Math.min(label[y * g.imageW + x]!, C)]! += 1;
    }
    return hist;
  }

  /** The labelled regions of the first `n` pool images, sorted (the leaderboard's overlay figures). */
  regionsOfFirstImages(n = 3): number[][] {
    return Array.from({ length: n }, (_, image) => [...(this.byImage.get(image) ?? [])].sort((a, b) => a - b));
  }
}
