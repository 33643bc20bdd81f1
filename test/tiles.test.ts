/**
 * Whole-image tiling (tiles.ts): whatever the labels, the kept tiles lie on the grid, are disjoint,
 * and cover every supervised pixel, so a tiled whole image trains on exactly its labels.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { planTiles, tileShapes, type TilingGrid } from '../env/learners/frozen-encoder/tiles.ts';

const grids: TilingGrid[] = [
  { gridH: 6, gridW: 8, height: 45, width: 60, align: 2 }, // 7.5 px cells
  { gridH: 45, gridW: 60, height: 360, width: 480, align: 1 }, // CamVid's frozen-encoder grid
  { gridH: 7, gridW: 5, height: 28, width: 20, align: 0 }, // no alignment: whole images only
];
const C = 3;

describe('whole-image tiles', () => {
  it('every supervised pixel falls in exactly one kept tile, and kept tiles are aligned and inside the grid', () => {
    fc.assert(
      fc.property(fc.constantFrom(...grids), fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat({ max: 40 }), fc.nat({ max: 40 })), { maxLength: 4 }), fc.integer({ min: 1, max: 3 }), (g, rects, items) => {
        const labels = Array.from({ length: items }, (_, k) => {
          const l = new Uint8Array(g.height * g.width).fill(C);
          for (const [y, x, h, w] of rects.slice(k)) for (let yy = y % g.height; yy < Math.min(g.height, (y % g.height) + h); yy++) for (let xx = x % g.width; xx < Math.min(g.width, (x % g.width) + w); xx++) l[yy * g.width + xx] = (yy + xx) % C;
          return l;
        });
        const plan = planTiles(g, labels, { headMacsPerCell: 2 * 656 * 64, classes: C });
        const { nH, nW } = plan.shape;
        const [cellH, cellW] = [g.height / g.gridH, g.width / g.gridW];
        labels.forEach((l, k) => {
          const covered = new Uint8Array(l.length);
          for (const [i0, j0] of plan.tiles[k]!) {
            expect(i0 + nH).to.be.at.most(g.gridH);
            expect(j0 + nW).to.be.at.most(g.gridW);
            if (!plan.shape.whole) expect([i0 % g.align, j0 % g.align]).to.deep.equal([0, 0]);
            for (let y = Math.round(i0 * cellH); y < Math.round((i0 + nH) * cellH); y++) for (let x = Math.round(j0 * cellW); x < Math.round((j0 + nW) * cellW); x++) covered[y * g.width + x]! += 1;
          }
          const wrong = l.reduce((n, v, p) => n + ((v < C ? covered[p] !== 1 : covered[p]! > 1) ? 1 : 0), 0);
          expect(wrong, 'supervised pixels not covered once, or pixels covered twice').to.equal(0);
        });
      }),
      { numRuns: 60 },
    );
  });

  it('an image with no label runs nothing; without alignment the whole image is the only shape', () => {
    const g = grids[1]!;
    expect(planTiles(g, [new Uint8Array(g.height * g.width).fill(C)], { headMacsPerCell: 1e5, classes: C }).tiles[0]).to.deep.equal([]);
    expect(tileShapes(grids[2]!)).to.deep.equal([{ nH: 7, nW: 5, whole: true }]);
  });
});
