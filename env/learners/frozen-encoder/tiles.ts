/**
 * Whole-image training items on the native engine, cut into tiles: a whole image with sparse labels
 * (the final training's `items: 'whole-image'`) is run as the aligned tiles of cells that hold a
 * supervised pixel, each with a margin of one alignment step, as aligned crops are. The tiles
 * partition the grid and each tile's margin makes its upsampling exactly the whole image's for its
 * pixels, so the loss and gradients are the whole image's (up to float summation order) at the cost
 * of the labelled part: at 480 of CamVid's 2400 D_V regions most tiles hold no label, and even a fully
 * labelled image is cheaper as tiles, because the whole image's dense interpolation matrices cost
 * about as much as its head.
 */

/** The learner's grid, as tiling needs it: `a` cells per alignment step (whole pixels per step). */
export interface TilingGrid {
  readonly gridH: number;
  readonly gridW: number;
  readonly height: number;
  readonly width: number;
  readonly align: number;
}

/** Per-window cost model: multiply-adds of the head per cell (forward and weight gradient). */
export interface TilingCost {
  readonly headMacsPerCell: number;
  readonly classes: number;
}

/** One tile size in cells (nH × nW, each a multiple of the alignment step); the whole image is `whole`. */
export interface TileShape {
  readonly nH: number;
  readonly nW: number;
  readonly whole: boolean;
}

export interface TilePlan {
  readonly shape: TileShape;
  /** Per item, the first grid row and column of each tile to run (empty: no supervised pixel). */
  readonly tiles: readonly (readonly (readonly [number, number])[])[];
}

/** Multiples of `a` that divide `n` (ascending). */
function alignedDivisors(n: number, a: number): number[] {
  const out: number[] = [];
  for (let d = a; d <= n; d += a) if (n % d === 0) out.push(d);
  return out;
}

/** Tile shapes worth considering: every aligned divisor pair, and the whole image. */
export function tileShapes(g: TilingGrid): TileShape[] {
  const whole: TileShape = { nH: g.gridH, nW: g.gridW, whole: true };
  if (g.align === 0 || g.gridH % g.align !== 0 || g.gridW % g.align !== 0) return [whole];
  const shapes: TileShape[] = [];
  for (const nH of alignedDivisors(g.gridH, g.align)) for (const nW of alignedDivisors(g.gridW, g.align)) if (nH < g.gridH || nW < g.gridW) shapes.push({ nH, nW, whole: false });
  return [...shapes, whole];
}

/** Cost of running one window of a tile shape: head on its cells (margins included) and its upsampling, forward and backward. */
export function windowCost(g: TilingGrid, s: TileShape, c: TilingCost): number {
  const cellH = g.height / g.gridH, cellW = g.width / g.gridW;
  const m = s.whole ? 0 : 2 * g.align;
  const [wh, ww] = [s.nH + m, s.nW + m];
  const [kh, kw] = [Math.round(s.nH * cellH), Math.round(s.nW * cellW)];
  const perRunOverhead = 5e4; // a few microseconds of session dispatch, in multiply-adds
  return wh * ww * c.headMacsPerCell + 2 * c.classes * kh * ww * (wh + kw) + perRunOverhead;
}

/**
 * Prefix sums of supervised pixels over alignment blocks (a×a cells, whole pixels each): block (i, j)
 * of a tiling-capable grid. Labels ≥ `classes` are unsupervised.
 */
type BlockSums = { sum: (i0: number, j0: number, nh: number, nw: number) => number };
/** Per label array (a labelled set's masks live as long as the set: every epoch reads the same arrays). */
const blockCache = new WeakMap<object, { key: string; sums: BlockSums }>();

function cachedBlockCounts(g: TilingGrid, label: ArrayLike<number>, classes: number): BlockSums {
  const key = `${g.gridH}x${g.gridW}/${g.height}x${g.width}/${g.align}/${classes}`;
  const hit = blockCache.get(label as object);
  if (hit && hit.key === key) return hit.sums;
  const sums = blockCounts(g, label, classes);
  blockCache.set(label as object, { key, sums });
  return sums;
}

function blockCounts(g: TilingGrid, label: ArrayLike<number>, classes: number): BlockSums {
  const bh = g.gridH / g.align, bw = g.gridW / g.align;
  const ph = (g.height / g.gridH) * g.align, pw = (g.width / g.gridW) * g.align; // pixels per block (whole)
  const P = new Int32Array((bh + 1) * (bw + 1));
  const counts = new Int32Array(bh * bw);
  for (let y = 0; y < g.height; y++) {
    const bi = Math.floor(y / ph);
    for (let x = 0; x < g.width; x++) if (label[y * g.width + x]! < classes) counts[bi * bw + Math.floor(x / pw)]! += 1;
  }
  for (let i = 0; i < bh; i++) for (let j = 0; j < bw; j++) P[(i + 1) * (bw + 1) + j + 1] = counts[i * bw + j]! + P[i * (bw + 1) + j + 1]! + P[(i + 1) * (bw + 1) + j]! - P[i * (bw + 1) + j]!;
  return {
    // cells → blocks; tiles are whole blocks
    sum: (i0, j0, nh, nw) => {
      const [a0, b0, a1, b1] = [i0 / g.align, j0 / g.align, (i0 + nh) / g.align, (j0 + nw) / g.align];
      return P[a1 * (bw + 1) + b1]! - P[a0 * (bw + 1) + b1]! - P[a1 * (bw + 1) + b0]! + P[a0 * (bw + 1) + b0]!;
    },
  };
}

/**
 * The cheapest tiling of a batch of whole-image labels: for each candidate shape, the tiles holding a
 * supervised pixel, costed by windowCost; ties go to the larger tiles (fewer runs).
 */
export function planTiles(g: TilingGrid, labels: readonly ArrayLike<number>[], c: TilingCost): TilePlan {
  const shapes = tileShapes(g);
  if (shapes.length === 1) return { shape: shapes[0]!, tiles: labels.map((l) => (Array.prototype.some.call(l, (v: number) => v < c.classes) ? [[0, 0] as const] : [])) };
  const blocks = labels.map((l) => cachedBlockCounts(g, l, c.classes));
  let best: TilePlan | null = null;
  let bestCost = Infinity;
  for (const shape of [...shapes].reverse()) {
    const tiles = blocks.map((b) => {
      const kept: (readonly [number, number])[] = [];
      for (let i0 = 0; i0 < g.gridH; i0 += shape.nH) for (let j0 = 0; j0 < g.gridW; j0 += shape.nW) if (b.sum(i0, j0, shape.nH, shape.nW) > 0) kept.push([i0, j0]);
      return kept;
    });
    const cost = tiles.reduce((s, t) => s + t.length, 0) * windowCost(g, shape, c);
    if (cost < bestCost) [best, bestCost] = [{ shape, tiles }, cost];
  }
  return best!;
}
