/**
 * The region features of `regionFeatures` (features.ts, the reference) as a probability reduction a
 * native learner fuses into its own graph: per-pixel entropy and argmax, then per region the
 * predicted-class counts and the entropy pooled to 8×8 by min, mean and max, plus each region's mean
 * entropy. Only the small per-region rows come back to JS, not the [B, H, W, C] probabilities.
 *
 * Outputs `features` [B·perImage, C+1+192] and `meanEntropy` [B·perImage], regions in toRegions'
 * order (x-major: column by column).
 */
import type { GraphBuilder } from '../compute/ort/graph.ts';
import { int, ints, str } from '../compute/ort/graph.ts';
import type { ProbabilityReduction } from './learners/learner.ts';
import type { RegionGrid } from './regions.ts';
import { POOL_GRID, stateFeatureSize } from './features.ts';

export function regionFeaturesReduction(g: RegionGrid, numClasses: number): ProbabilityReduction {
  const C = numClasses;
  return {
    opset: 16,
    key: `regionStats/${g.rows}x${g.cols}/${g.regionH}x${g.regionW}`,
    outputs: [
      { name: 'features', dims: ['regions', stateFeatureSize(C)] },
      { name: 'meanEntropy', dims: ['regions'] },
    ],
    build: (b: GraphBuilder, probs: string) => {
      const { rows, cols, regionH: rh, regionW: rw } = g;
      // entropy −Σ p·ln max(p, 1e-30), as pixelEntropy
      const plogp = b.op('Mul', [probs, b.op('Log', [b.op('Max', [probs, b.floats([], [1e-30])])])]);
      const entropy = b.op('ReduceSum', [b.op('Neg', [plogp]), b.int64([-1])], [int('keepdims', 0)]); // [B, H, W]

      // predicted-class counts per region (C+1 bins; zero counts → 1e-7, as the paper): each pixel adds 1
      // at (its region, its class) — a scatter-add, 15 % faster per image than summing a one-hot
      // [B, H, W, C+1] tensor, with the same (integer) counts
      const P = g.perImage * (C + 1);
      // where each pixel's count row starts, (column · rows + row) · (C + 1) with regions x-major: a row part
      // [H, 1] plus a column part [1, W], broadcast (two small constants, not one per pixel: the graph is
      // rebuilt whenever the weights change)
      const rowPart = Array.from({ length: g.imageH }, (_, y) => Math.floor(y / rh) * (C + 1));
      const colPart = Array.from({ length: g.imageW }, (_, x) => Math.floor(x / rw) * rows * (C + 1));
      const base = b.op('Add', [b.op('Reshape', [b.int64(rowPart), b.int64([g.imageH, 1])]), b.op('Reshape', [b.int64(colPart), b.int64([1, g.imageW])])]); // [H, W]
      const pred = b.op('ArgMax', [probs], [int('axis', -1), int('keepdims', 0)]); // [B, H, W]
      const at = b.op('Reshape', [b.op('Add', [pred, base]), b.int64([-1, g.imageH * g.imageW])]); // [B, H·W]
      const batch = b.op('Slice', [b.op('Shape', [at]), b.int64([0]), b.int64([1])]);
      const zeros = b.filled(b.op('Concat', [batch, b.int64([P])], [int('axis', 0)]), 0);
      const ones = b.filled(b.op('Shape', [at]), 1);
      const counts = b.op('Reshape', [b.op('ScatterElements', [zeros, at, ones], [int('axis', 1), str('reduction', 'add')]), b.int64([-1, C + 1])]);
      const zero = b.floats([], [0]);
      const filled = b.op('Where', [b.op('Equal', [counts, zero]), b.floats([], [1e-7]), counts]);

      // entropy per region [n, 1, rh, rw]: its mean, and pooled to 8×8 over the first 8·⌊rh/8⌋ × 8·⌊rw/8⌋ pixels
      const regions = b.op('Reshape', [b.op('Transpose', [b.op('Reshape', [entropy, b.int64([-1, rows, rh, cols, rw])])], [ints('perm', [0, 3, 1, 2, 4])]), b.int64([-1, 1, rh, rw])]);
      b.op('ReduceMean', [regions], [ints('axes', [1, 2, 3]), int('keepdims', 0)], 'meanEntropy');
      const kh = Math.floor(rh / POOL_GRID);
      const kw = Math.floor(rw / POOL_GRID);
      const cropped = b.op('Slice', [regions, b.int64([0, 0]), b.int64([kh * POOL_GRID, kw * POOL_GRID]), b.int64([2, 3])]);
      const window = [ints('kernel_shape', [kh, kw]), ints('strides', [kh, kw])];
      const flat = (x: string) => b.op('Reshape', [x, b.int64([-1, POOL_GRID * POOL_GRID])]);
      const maxE = flat(b.op('MaxPool', [cropped], window));
      const minE = flat(b.op('Neg', [b.op('MaxPool', [b.op('Neg', [cropped])], window)]));
      const avgE = flat(b.op('AveragePool', [cropped], window));
      b.op('Concat', [filled, minE, avgE, maxE], [int('axis', 1)], 'features');
    },
  };
}

