/**
 * Which regions an agent labelled, drawn on three fixed pool images (the first three of the
 * evaluation pool) at one budget and seed: the image dimmed to grey; inside each labelled region the
 * label the oracle gave, as its class colour blended over the photo, and a yellow outline. One PNG per
 * agent (pngjs), the same pixels for the same records; overlayLegendSpec draws the class colours.
 */
import { PNG } from 'pngjs';
import type { SegSample } from '../../env/data/dataset.ts';
import type { RegionGrid } from '../../env/regions.ts';
import { regionOrigin } from '../../env/regions.ts';

const GAP = 6;
const OUTLINE: [number, number, number] = [255, 200, 0];

/** One colour per class (Vega's category20 order, then repeated): the overlays and their legend share it. */
export const CLASS_COLOURS: readonly [number, number, number][] = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf', '#aec7e8', '#ffbb78', '#98df8a', '#ff9896', '#c5b0d5', '#c49c94', '#f7b6d2', '#c7c7c7', '#dbdb8d', '#9edae5'].map((h) => [parseInt(h.slice(1, 3), 16), parseInt(h.slice(3, 5), 16), parseInt(h.slice(5, 7), 16)] as [number, number, number]);
export const classColour = (c: number): [number, number, number] => CLASS_COLOURS[c % CLASS_COLOURS.length]!;

export function overlayPng(images: readonly SegSample[], regions: readonly (readonly number[])[], g: RegionGrid, numClasses: number): Buffer {
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
        const p = y * g.imageW + x;
        const src = p * 3;
        const dst = (y * W + x0 + x) * 4;
        const [r, gr, b] = [s.image[src]!, s.image[src + 1]!, s.image[src + 2]!];
        const l = lit[p];
        if (l === 2) png.data.set([...OUTLINE, 255], dst);
        else if (l === 1) {
          // the oracle's label as its class colour over the photo (void pixels keep the photo)
          const c = s.label[p]!;
          const [cr, cg, cb] = c < numClasses ? classColour(c) : [r, gr, b];
          png.data.set([Math.round(0.55 * cr + 0.45 * r), Math.round(0.55 * cg + 0.45 * gr), Math.round(0.55 * cb + 0.45 * b), 255], dst);
        } else {
          const grey = Math.round(0.35 * (0.299 * r + 0.587 * gr + 0.114 * b));
          png.data.set([grey, grey, grey, 255], dst);
        }
      }
  });
  return PNG.sync.write(png);
}
