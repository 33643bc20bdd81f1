/**
 * Which regions an agent labelled, drawn on three fixed pool images (the first three of the
 * evaluation pool) at one budget and seed: the image dimmed to grey, labelled regions in full colour
 * with a border. One PNG per agent (pngjs), the same pixels for the same records.
 */
import { PNG } from 'pngjs';
import type { SegSample } from '../../env/data/dataset.ts';
import type { RegionGrid } from '../../env/regions.ts';
import { regionOrigin } from '../../env/regions.ts';

const GAP = 6;

export function overlayPng(images: readonly SegSample[], regions: readonly (readonly number[])[], g: RegionGrid): Buffer {
  const W = images.length * g.imageW + (images.length - 1) * GAP;
  const png = new PNG({ width: W, height: g.imageH });
  png.data.fill(255);
  images.forEach((s, k) => {
    const x0 = k * (g.imageW + GAP);
    const lit = new Uint8Array(g.imageH * g.imageW);
    for (const r of regions[k] ?? []) {
      const { y0, x0: rx } = regionOrigin(g, r);
      for (let y = y0; y < y0 + g.regionH; y++) for (let x = rx; x < rx + g.regionW; x++) lit[y * g.imageW + x] = y - y0 < 2 || y0 + g.regionH - y <= 2 || x - rx < 2 || rx + g.regionW - x <= 2 ? 2 : 1;
    }
    for (let y = 0; y < g.imageH; y++)
      for (let x = 0; x < g.imageW; x++) {
        const src = (y * g.imageW + x) * 3;
        const dst = (y * W + x0 + x) * 4;
        const [r, gr, b] = [s.image[src]!, s.image[src + 1]!, s.image[src + 2]!];
        const l = lit[y * g.imageW + x];
        if (l === 2) png.data.set([255, 200, 0, 255], dst);
        else if (l === 1) png.data.set([r, gr, b, 255], dst);
        else {
          const grey = Math.round(0.35 * (0.299 * r + 0.587 * gr + 0.114 * b));
          png.data.set([grey, grey, grey, 255], dst);
        }
      }
  });
  return PNG.sync.write(png);
}
