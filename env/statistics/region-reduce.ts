/** Reducing per-pixel maps and per-cell embeddings to one row per region (the statistics' last step). */
import * as tf from '@tensorflow/tfjs';
import type { RegionGrid } from '../regions.ts';
import { toRegions } from '../features.ts';

/** Mean of a per-pixel map [B, H, W] over each region → [B·perImage, 1]. Call inside tf.tidy. */
export function regionMeanColumn(map: tf.Tensor3D, g: RegionGrid): tf.Tensor2D {
  return tf.reshape(tf.mean(toRegions(map, g), [1, 2]), [-1, 1]) as tf.Tensor2D;
}

/**
 * Region membership of the cells of an h×w grid whose cells are cellH×cellW image pixels: row r of
 * the result [perImage, h·w] is 1/|r| on the cells whose centre falls in region r, 0 elsewhere.
 * A region without a cell centre takes the cell under its own centre.
 */
export function cellRegionMatrix(g: RegionGrid, h: number, w: number, cellH: number, cellW: number): Float32Array {
  const m = new Float32Array(g.perImage * h * w);
  const regionOf = (y: number, x: number) => Math.min(g.cols - 1, Math.floor(x / g.regionW)) * g.rows + Math.min(g.rows - 1, Math.floor(y / g.regionH));
  const counts = new Int32Array(g.perImage);
  for (let i = 0; i < h; i++)
    for (let j = 0; j < w; j++) {
      const r = regionOf((i + 0.5) * cellH, (j + 0.5) * cellW);
      m[r * h * w + i * w + j] = 1;
      counts[r]!++;
    }
  for (let r = 0; r < g.perImage; r++) {
    if (counts[r] === 0) {
      const col = Math.floor(r / g.rows), row = r % g.rows;
      const i = Math.min(h - 1, Math.floor(((row + 0.5) * g.regionH) / cellH)), j = Math.min(w - 1, Math.floor(((col + 0.5) * g.regionW) / cellW));
      m[r * h * w + i * w + j] = 1;
      counts[r] = 1;
    }
    for (let k = 0; k < h * w; k++) m[r * h * w + k]! /= counts[r]!;
  }
  return m;
}
