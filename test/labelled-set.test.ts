/** What a labelled set trains on: crops around its regions, or its images whole under their masks. */
import { expect } from 'chai';
import fc from 'fast-check';
import { makeSyntheticDataset } from '../env/data/synthetic.ts';
import { makeGrid, regionCentre, regionOrigin, splitRegionId } from '../env/regions.ts';
import { LabelledSet } from '../env/labelled-set.ts';
import { Rng } from '../core/rng.ts';

describe('labelled set', () => {
  const ds = makeSyntheticDataset({ seed: 4, height: 48, width: 64, counts: { d_t: 0, d_s: 0, d_v: 5, val: 0, test: 0 } });
  const pool = ds.splits.d_v!;
  const grid = makeGrid(48, 64, 16, 16);
  const C = ds.numClasses;

  it('whole images: one item per labelled image, ground truth exactly in its labelled regions, ignored elsewhere; crops: one per image, centred on one of its regions (property)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: pool.length * grid.perImage - 1 }), { minLength: 1, maxLength: 30 }), fc.integer({ min: 0, max: 1000 }), (ids, seed) => {
        const set = new LabelledSet(grid, pool, ids, C, C);
        const images = new Set(ids.map((id) => splitRegionId(grid, id).image));
        const whole = set.wholeImages();
        if (whole.length !== images.size || whole.some((it) => it.anchor !== undefined)) return false;
        for (const it of whole) {
          const image = pool.indexOf(it.sample);
          const mine = new Set(ids.filter((id) => splitRegionId(grid, id).image === image).map((id) => splitRegionId(grid, id).region));
          for (let r = 0; r < grid.perImage; r++) {
            const { y0, x0 } = regionOrigin(grid, r);
            for (let y = y0; y < y0 + grid.regionH; y++)
              for (let x = x0; x < x0 + grid.regionW; x++) {
                const want = mine.has(r) ? it.sample.label[y * grid.imageW + x]! : C;
                if (it.label[y * grid.imageW + x] !== want) return false;
              }
          }
        }
        const crops = set.itemsOnePerImage(new Rng(seed));
        if (crops.length !== images.size) return false;
        return crops.every((it) => {
          const image = pool.indexOf(it.sample);
          return ids.some((id) => splitRegionId(grid, id).image === image && regionCentre(grid, splitRegionId(grid, id).region).every((v, k) => v === it.anchor![k]));
        });
      }),
      { numRuns: 60, seed: 8 },
    );
  });

  it('counts every labelled pixel once in its class histogram', () => {
    const ids = [0, 1, 13, 25, 26];
    const hist = new LabelledSet(grid, pool, ids, C, C).classHistogram();
    expect(hist.reduce((a, b) => a + b, 0)).to.equal(ids.length * grid.regionH * grid.regionW);
  });
});
