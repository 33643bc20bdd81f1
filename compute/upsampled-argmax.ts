/**
 * Per-pixel labels of cell logits upsampled bilinearly (half-pixel centres, as interp.ts) to image
 * pixels, without the full-resolution logits. Between four neighbouring cell centres each logit is a
 * bilinear blend of its four corner values, a convex combination; so a class that leads every other at
 * all four corners leads it at every pixel of the block, and the block takes that class at once. Only
 * blocks whose corners disagree (class borders, ~a tenth of CamVid's) are interpolated per pixel, in
 * double precision, over the classes that can lead there (one left: the block is decided whole), ties
 * to the lowest class; separably, row by row, so a candidate costs one multiply-add per pixel. The fast
 * path and the slow path agree: a lead of at least one float32 ulp at the corners cannot be undone by
 * double rounding inside the block.
 */

/** One axis: consecutive runs of outputs sharing the same two input taps. */
interface AxisRuns {
  /** Per run: first output, end output (exclusive), lower tap, upper tap. */
  readonly runs: Int32Array;
  /** Per output: weight of the upper tap. */
  readonly frac: Float64Array;
}

const axisCache = new Map<string, AxisRuns>();

function axisRuns(inp: number, out: number): AxisRuns {
  const key = `${inp}>${out}`;
  const hit = axisCache.get(key);
  if (hit) return hit;
  const frac = new Float64Array(out);
  const runs: number[] = [];
  for (let o = 0; o < out; o++) {
    const src = ((o + 0.5) * inp) / out - 0.5;
    const lo = Math.max(0, Math.floor(src));
    const hi = Math.min(inp - 1, Math.ceil(src));
    frac[o] = src - lo > 0 && hi > lo ? src - lo : 0;
    const last = runs.length - 4;
    if (last >= 0 && runs[last + 2] === lo && runs[last + 3] === hi) runs[last + 1] = o + 1;
    else runs.push(o, o + 1, lo, hi);
  }
  const r = { runs: Int32Array.from(runs), frac };
  axisCache.set(key, r);
  return r;
}

/**
 * Where the labels go: written to `out` from `offset`, or counted straight into a confusion matrix
 * `counts[t·C + p]` against the true labels `truth` [H·W] (values ≥ C are not counted), no label map.
 */
export type LabelSink = { readonly out: Int32Array; readonly offset: number } | { readonly counts: Float64Array; readonly truth: Uint8Array };

/** Give every pixel of rows [y0, y1) × columns [x0, x1) class k. */
function fillBlock(sink: LabelSink, k: number, y0: number, y1: number, x0: number, x1: number, W: number, C: number): void {
  if ('out' in sink) {
    for (let y = y0; y < y1; y++) sink.out.fill(k, sink.offset + y * W + x0, sink.offset + y * W + x1);
    return;
  }
  const { counts, truth } = sink;
  for (let y = y0; y < y1; y++)
    for (let i = y * W + x0, end = y * W + x1; i < end; i++) {
      const t = truth[i]!;
      if (t < C) counts[t * C + k]! += 1;
    }
}

/**
 * Labels [H, W] of `logits` [gh, gw, C] (row-major cells) into `sink`. Returns the number of pixels
 * decided per pixel (the rest by whole blocks), for the benchmark's breakdown.
 */
export function upsampledArgmax(logits: Float32Array, gh: number, gw: number, C: number, H: number, W: number, sink: LabelSink): number {
  const out = 'out' in sink ? sink.out : null, offset = 'out' in sink ? sink.offset : 0;
  const counts = 'counts' in sink ? sink.counts : null, truth = 'counts' in sink ? sink.truth : null;
  const ys = axisRuns(gh, H), xs = axisRuns(gw, W);
  const cand = new Int32Array(C);
  const rowLeft = new Float64Array(C), rowSlope = new Float64Array(C);
  let slow = 0;
  for (let r = 0; r < ys.runs.length; r += 4) {
    const y0 = ys.runs[r]!, y1 = ys.runs[r + 1]!, fy = ys.runs[r + 2]!, cy = ys.runs[r + 3]!;
    for (let q = 0; q < xs.runs.length; q += 4) {
      const x0 = xs.runs[q]!, x1 = xs.runs[q + 1]!, fx = xs.runs[q + 2]!, cx = xs.runs[q + 3]!;
      const a = (fy * gw + fx) * C, b = (fy * gw + cx) * C, c = (cy * gw + fx) * C, d = (cy * gw + cx) * C;
      let k = 0;
      for (let j = 1; j < C; j++) if (logits[a + j]! > logits[a + k]!) k = j;
      let leads = true;
      for (let j = 0; j < C && leads; j++) {
        if (j === k) continue;
        // ties count as disagreement: the per-pixel path resolves them to the lowest class
        leads = logits[a + k]! > logits[a + j]! && logits[b + k]! > logits[b + j]! && logits[c + k]! > logits[c + j]! && logits[d + k]! > logits[d + j]!;
      }
      if (leads) {
        fillBlock(sink, k, y0, y1, x0, x1, W, C);
        continue;
      }
      // candidates: a class can lead somewhere in the block only if its best corner reaches the
      // largest worst corner of any class (a bilinear blend lies between its corners' min and max)
      let floor = -Infinity;
      for (let j = 0; j < C; j++) floor = Math.max(floor, Math.min(logits[a + j]!, logits[b + j]!, logits[c + j]!, logits[d + j]!));
      let n = 0;
      for (let j = 0; j < C; j++) if (Math.max(logits[a + j]!, logits[b + j]!, logits[c + j]!, logits[d + j]!) >= floor) cand[n++] = j;
      if (n === 1) {
        fillBlock(sink, cand[0]!, y0, y1, x0, x1, W, C);
        continue;
      }
      slow += (y1 - y0) * (x1 - x0);
      for (let y = y0; y < y1; y++) {
        // separable: each candidate's value along the row is left + (right − left)·tx
        const ty = ys.frac[y]!;
        for (let q = 0; q < n; q++) {
          const j = cand[q]!;
          const left = logits[a + j]! + (logits[c + j]! - logits[a + j]!) * ty;
          rowLeft[q] = left;
          rowSlope[q] = logits[b + j]! + (logits[d + j]! - logits[b + j]!) * ty - left;
        }
        for (let x = x0; x < x1; x++) {
          const tx = xs.frac[x]!;
          let best = 0, bestV = rowLeft[0]! + rowSlope[0]! * tx;
          for (let q = 1; q < n; q++) {
            const v = rowLeft[q]! + rowSlope[q]! * tx;
            if (v > bestV) {
              best = q; // candidates ascend: ties keep the lowest class
              bestV = v;
            }
          }
          const label = cand[best]!;
          if (out) out[offset + y * W + x] = label;
          else {
            const t = truth![y * W + x]!;
            if (t < C) counts![t * C + label]! += 1;
          }
        }
      }
    }
  }
  return slow;
}
