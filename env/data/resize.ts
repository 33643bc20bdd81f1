/**
 * Load-time resizing (once per data set, then cached). Plain JS so that the resized data are
 * identical whatever compute backend runs later. Half-pixel centres, as OpenCV/PIL do.
 */

/** Bilinear resize of interleaved bytes [H, W, C] to [h, w, C]. */
export function resizeBilinear(src: Uint8Array, H: number, W: number, C: number, h: number, w: number): Uint8Array {
  const out = new Uint8Array(h * w * C);
  const sy = H / h;
  const sx = W / w;
  for (let y = 0; y < h; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), H - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, H - 1);
    const wy = fy - y0;
    for (let x = 0; x < w; x++) {
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), W - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, W - 1);
      const wx = fx - x0;
      for (let c = 0; c < C; c++) {
        const a = src[(y0 * W + x0) * C + c]!;
        const b = src[(y0 * W + x1) * C + c]!;
        const d = src[(y1 * W + x0) * C + c]!;
        const e = src[(y1 * W + x1) * C + c]!;
        const top = a + (b - a) * wx;
        const bottom = d + (e - d) * wx;
        out[(y * w + x) * C + c] = Math.round(top + (bottom - top) * wy);
      }
    }
  }
  return out;
}

/** Nearest-neighbour resize of a single-channel map [H, W] to [h, w] (labels keep their values). */
export function resizeNearest(src: Uint8Array, H: number, W: number, h: number, w: number): Uint8Array {
  const out = new Uint8Array(h * w);
  for (let y = 0; y < h; y++) {
    const sy = Math.min(Math.floor((y + 0.5) * (H / h)), H - 1);
    for (let x = 0; x < w; x++) {
      const sx = Math.min(Math.floor((x + 0.5) * (W / w)), W - 1);
      out[y * w + x] = src[sy * W + sx]!;
    }
  }
  return out;
}

/** The size an image of H×W takes at `scale`, rounded to whole pixels. */
export function scaledSize(H: number, W: number, scale: number): { height: number; width: number } {
  if (!(scale > 0 && scale <= 1)) throw new RangeError(`scale must be in (0, 1], got ${scale}`);
  return { height: Math.round(H * scale), width: Math.round(W * scale) };
}
