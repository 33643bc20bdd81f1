/** Reducing per-pixel maps and per-cell embeddings to one row per region (the scores' last step). */
import * as tf from '@tensorflow/tfjs';
import type { RegionGrid } from '../regions.ts';
import { toRegions } from '../features.ts';

/** Mean of a per-pixel map [B, H, W] over each region → [B·perImage, 1]. Call inside tf.tidy. */
export function regionMeanColumn(map: tf.Tensor3D, g: RegionGrid): tf.Tensor2D {
  return tf.reshape(tf.mean(toRegions(map, g), [1, 2]), [-1, 1]) as tf.Tensor2D;
}

/**
 * The cells of an h×w grid (cells of cellH×cellW image pixels) grouped by region: a cell belongs to
 * the region its centre falls in (a region without a cell centre takes the cell under its own
 * centre). `index` [perImage · width] lists each region's cells, padded with `h·w` (a zero cell);
 * `weight` [perImage · width] is 1/|r| on real cells and 0 on padding.
 */
export interface CellGroups {
  readonly width: number;
  readonly index: Int32Array;
  readonly weight: Float32Array;
}

const groupsCache = new Map<string, CellGroups>();

export function cellGroups(g: RegionGrid, h: number, w: number, cellH: number, cellW: number): CellGroups {
  const key = `${g.rows}x${g.cols}/${g.regionH}x${g.regionW}/${h}x${w}/${cellH}x${cellW}`;
  const hit = groupsCache.get(key);
  if (hit) return hit;
  const members: number[][] = Array.from({ length: g.perImage }, () => []);
  const regionOf = (y: number, x: number) => Math.min(g.cols - 1, Math.floor(x / g.regionW)) * g.rows + Math.min(g.rows - 1, Math.floor(y / g.regionH));
  for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) members[regionOf((i + 0.5) * cellH, (j + 0.5) * cellW)]!.push(i * w + j);
  members.forEach((m, r) => {
    if (m.length > 0) return;
    const col = Math.floor(r / g.rows), row = r % g.rows;
    m.push(Math.min(h - 1, Math.floor(((row + 0.5) * g.regionH) / cellH)) * w + Math.min(w - 1, Math.floor(((col + 0.5) * g.regionW) / cellW)));
  });
  const width = Math.max(...members.map((m) => m.length));
  const index = new Int32Array(g.perImage * width).fill(h * w);
  const weight = new Float32Array(g.perImage * width);
  members.forEach((m, r) => m.forEach((c, k) => ((index[r * width + k] = c), (weight[r * width + k] = 1 / m.length))));
  const out = { width, index, weight };
  groupsCache.set(key, out);
  return out;
}

/**
 * Per-cell rows [B, h·w, D] gathered into each region's cells: [B·perImage, width, D], padding rows
 * zero. Call inside tf.tidy.
 */
export function gatherByRegion(rows: tf.Tensor3D, groups: CellGroups, perImage: number): tf.Tensor3D {
  const [B, , D] = rows.shape;
  const padded = tf.concat([rows, tf.zeros([B, 1, D])], 1);
  const idx = tf.tensor1d(groups.index, 'int32');
  return tf.reshape(tf.gather(padded, idx, 1), [B * perImage, groups.width, D]) as tf.Tensor3D;
}
