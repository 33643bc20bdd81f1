/**
 * Bilinear upsampling from the feature grid to image pixels as tfjs' resizeBilinear does it with
 * half-pixel centres (align_corners = false; ONNX Resize 'linear' + 'half_pixel', PyTorch's default):
 * source = (target + 0.5)·in/out − 0.5, the lower index clamped at 0 and the upper at in − 1. Written
 * as a dense matrix over a window of input cells, so a training crop upsamples only what it needs.
 */

export interface AxisWeights {
  /** First input index of the window. */
  readonly start: number;
  /** Window length in input cells. */
  readonly size: number;
  /** Row-major [outputs, size]: output o's weights over the window. */
  readonly weights: Float32Array;
}

/** Weights of outputs [o0, o1) of an axis upsampled from `inp` to `out` cells. */
export function axisWeights(inp: number, out: number, o0: number, o1: number): AxisWeights {
  const ratio = inp / out;
  const taps: [number, number, number][] = [];
  let lo = Infinity, hi = -Infinity;
  for (let o = o0; o < o1; o++) {
    const src = ratio * (o + 0.5) - 0.5;
    const floor = Math.max(0, Math.floor(src));
    const ceil = Math.min(inp - 1, Math.ceil(src));
    const frac = src - floor;
    taps.push([floor, ceil, frac]);
    lo = Math.min(lo, floor);
    hi = Math.max(hi, ceil);
  }
  const size = hi - lo + 1;
  const weights = new Float32Array((o1 - o0) * size);
  taps.forEach(([f, c, t], k) => {
    weights[k * size + (f - lo)]! += 1 - t;
    weights[k * size + (c - lo)]! += t;
  });
  return { start: lo, size, weights };
}

/** The same weights as a dense row-major matrix [o1 − o0, inp] over every input cell (for matrix products). */
export function denseAxisWeights(inp: number, out: number, o0 = 0, o1 = out): Float32Array {
  const w = axisWeights(inp, out, o0, o1);
  const m = new Float32Array((o1 - o0) * inp);
  for (let o = 0; o < o1 - o0; o++) for (let k = 0; k < w.size; k++) m[o * inp + w.start + k] = w.weights[o * w.size + k]!;
  return m;
}
