/**
 * Procedural street scenes with CamVid's 11 classes + void: sky, buildings with window grids, trees,
 * a perspective road with sidewalks, fences, cars, poles carrying signs, pedestrians and bicyclists.
 * Colours of different classes overlap and every surface is textured and noisy, so a model has to use
 * shape and context, not one colour threshold. Small classes (pole, sign, pedestrian, bicyclist) are
 * rare by construction, as in CamVid. Every image is a pure function of (seed, split, index).
 */
import { Rng } from '../../core/rng.ts';
import { CAMVID_CLASSES, type SegDataset, type SegSample, type SplitName } from './dataset.ts';

export interface SyntheticOptions {
  seed: number;
  height: number;
  width: number;
  /** Images per split. The AL roles d_t / d_s / d_v partition `train` in this order. */
  counts: { d_t: number; d_s: number; d_v: number; val: number; test: number };
}

const SKY = 0, BUILDING = 1, POLE = 2, ROAD = 3, SIDEWALK = 4, TREE = 5, SIGN = 6, FENCE = 7, CAR = 8, PEDESTRIAN = 9, BICYCLIST = 10;
const VOID = 11;

/** Base colour per class; several are deliberately close (road/sidewalk/building, tree/fence). */
const BASE_RGB: readonly (readonly [number, number, number])[] = [
  [150, 170, 200], // sky
  [120, 105, 95], // building
  [95, 95, 100], // pole
  [110, 105, 115], // road
  [135, 125, 120], // sidewalk
  [75, 110, 60], // tree
  [170, 150, 70], // sign
  [110, 100, 80], // fence
  [90, 80, 140], // car
  [150, 90, 80], // pedestrian
  [120, 130, 60], // bicyclist
  [40, 40, 40], // void
];

class Canvas {
  readonly rgb: Float32Array;
  readonly label: Uint8Array;
  constructor(
    readonly h: number,
    readonly w: number,
    private readonly rng: Rng,
    private readonly brightness: number,
  ) {
    this.rgb = new Float32Array(h * w * 3);
    this.label = new Uint8Array(h * w);
  }

  /** Paint pixel (x, y) with class `cls`; colour = base + object tint + class texture. */
  put(x: number, y: number, cls: number, tint: readonly number[], texture: number): void {
    if (x < 0 || y < 0 || x >= this.w || y >= this.h) return;
    const i = y * this.w + x;
    this.label[i] = cls;
    const base = BASE_RGB[cls]!;
    for (let c = 0; c < 3; c++) this.rgb[i * 3 + c] = (base[c]! + tint[c]! + texture) * this.brightness;
  }

  rect(x0: number, y0: number, x1: number, y1: number, cls: number, tex: (x: number, y: number) => number): void {
    const tint = this.tint(18);
    for (let y = Math.max(0, Math.round(y0)); y < Math.min(this.h, Math.round(y1)); y++)
      for (let x = Math.max(0, Math.round(x0)); x < Math.min(this.w, Math.round(x1)); x++) this.put(x, y, cls, tint, tex(x, y));
  }

  ellipse(cx: number, cy: number, rx: number, ry: number, cls: number, tex: (x: number, y: number) => number): void {
    const tint = this.tint(18);
    for (let y = Math.floor(cy - ry); y <= Math.ceil(cy + ry); y++)
      for (let x = Math.floor(cx - rx); x <= Math.ceil(cx + rx); x++) {
        const dx = (x - cx) / Math.max(rx, 0.5);
        const dy = (y - cy) / Math.max(ry, 0.5);
        if (dx * dx + dy * dy <= 1) this.put(x, y, cls, tint, tex(x, y));
      }
  }

  tint(spread: number): number[] {
    return [this.rng.uniform(-spread, spread), this.rng.uniform(-spread, spread), this.rng.uniform(-spread, spread)];
  }
}

/** Generate one scene. Exported for tests and for rendering examples. */
export function generateScene(rng: Rng, h: number, w: number): { image: Uint8Array; label: Uint8Array } {
  const cv = new Canvas(h, w, rng, rng.uniform(0.75, 1.25));
  const noise = (amp: number) => () => rng.normal() * amp;
  const horizon = Math.round(h * rng.uniform(0.32, 0.48));
  const roadTop = horizon + Math.round(h * rng.uniform(0.04, 0.1));

  // Sky: vertical gradient.
  cv.rect(0, 0, w, h, SKY, (_x, y) => -30 * (y / h) + rng.normal() * 4);

  // Buildings: a skyline of blocks with window grids.
  for (let x = 0; x < w; ) {
    const bw = Math.round(w * rng.uniform(0.1, 0.3));
    if (rng.next() < 0.85) {
      const top = Math.round(h * rng.uniform(0.03, 0.3));
      const period = 3 + rng.int(4);
      cv.rect(x, top, x + bw, roadTop, BUILDING, (xx, yy) => ((xx % period < period / 2 && yy % period < period / 2) ? -35 : 5) + rng.normal() * 8);
    }
    x += bw;
  }

  // Trees: clusters of high-frequency foliage around the horizon.
  const trees = rng.int(4);
  for (let t = 0; t < trees; t++) {
    const cx = rng.uniform(0, w);
    const r = h * rng.uniform(0.08, 0.2);
    cv.ellipse(cx, horizon - r * 0.6, r * rng.uniform(0.7, 1.3), r, TREE, noise(22));
    cv.rect(cx - 1, horizon - r * 0.2, cx + 1, roadTop, TREE, noise(10));
  }

  // Road (perspective trapezoid) with sidewalks on both sides.
  const vanishX = w * rng.uniform(0.35, 0.65);
  const sidewalkWidth = rng.uniform(0.12, 0.3);
  for (let y = roadTop; y < h; y++) {
    const depth = (y - roadTop + 1) / (h - roadTop);
    const half = w * (0.05 + 0.55 * depth);
    const swalk = half * sidewalkWidth * 2;
    const tintRoad = [0, 0, 0];
    for (let x = 0; x < w; x++) {
      const d = Math.abs(x - vanishX);
      if (d <= half) cv.put(x, y, ROAD, tintRoad, (Math.abs(x - vanishX) < 1 + depth && y % 6 < 3 ? 70 : 0) + rng.normal() * 9);
      else if (d <= half + swalk) cv.put(x, y, SIDEWALK, tintRoad, ((x + y) % 5 === 0 ? -15 : 0) + rng.normal() * 9);
      else cv.put(x, y, BUILDING, tintRoad, (y % 4 === 0 ? -20 : 0) + rng.normal() * 12); // street-level walls
    }
  }
  const roadHalfAt = (y: number) => w * (0.05 + 0.55 * ((y - roadTop + 1) / (h - roadTop)));

  // Fence along one side, just above the sidewalk.
  if (rng.next() < 0.6) {
    const left = rng.next() < 0.5;
    const fh = h * rng.uniform(0.04, 0.08);
    const x0 = left ? 0 : w * rng.uniform(0.6, 0.8);
    const x1 = left ? w * rng.uniform(0.2, 0.4) : w;
    cv.rect(x0, roadTop - fh, x1, roadTop + 1, FENCE, (x) => (x % 4 === 0 ? -30 : 10) + rng.normal() * 10);
  }

  // Cars on the road, scaled by depth.
  const cars = rng.int(4);
  for (let c = 0; c < cars; c++) {
    const y = roadTop + (h - roadTop) * rng.uniform(0.15, 0.85);
    const half = roadHalfAt(y);
    const cw = half * rng.uniform(0.35, 0.6);
    const ch = cw * rng.uniform(0.45, 0.65);
    const cx = vanishX + rng.uniform(-half + cw / 2, half - cw / 2);
    cv.rect(cx - cw / 2, y - ch, cx + cw / 2, y, CAR, (_x, yy) => (yy < y - ch * 0.6 ? 30 : 0) + rng.normal() * 8);
  }

  // Poles with signs on the sidewalks.
  const poles = rng.int(4);
  for (let p = 0; p < poles; p++) {
    const y = roadTop + (h - roadTop) * rng.uniform(0.1, 0.7);
    const side = rng.next() < 0.5 ? -1 : 1;
    const x = vanishX + side * (roadHalfAt(y) + 2);
    const top = y - h * rng.uniform(0.25, 0.45);
    cv.rect(x, top, x + Math.max(1, w / 160), y, POLE, noise(6));
    if (rng.next() < 0.7) {
      const s = Math.max(2, h * rng.uniform(0.03, 0.05));
      cv.rect(x - s / 2, top, x + s, top + s, SIGN, noise(12));
    }
  }

  // Pedestrians on the sidewalk and the occasional bicyclist at the road edge.
  const pedestrians = rng.next() < 0.7 ? 1 + rng.int(3) : 0;
  for (let p = 0; p < pedestrians; p++) {
    const y = roadTop + (h - roadTop) * rng.uniform(0.1, 0.9);
    const side = rng.next() < 0.5 ? -1 : 1;
    const x = vanishX + side * (roadHalfAt(y) * (1 + sidewalkWidth));
    const ph = h * (0.06 + 0.1 * ((y - roadTop) / (h - roadTop)));
    cv.ellipse(x, y - ph / 2, ph / 5, ph / 2, PEDESTRIAN, noise(12));
    cv.ellipse(x, y - ph * 1.05, ph / 7, ph / 7, PEDESTRIAN, noise(12));
  }
  if (rng.next() < 0.35) {
    const y = roadTop + (h - roadTop) * rng.uniform(0.3, 0.9);
    const side = rng.next() < 0.5 ? -1 : 1;
    const x = vanishX + side * roadHalfAt(y) * 0.85;
    const bh = h * (0.06 + 0.08 * ((y - roadTop) / (h - roadTop)));
    cv.ellipse(x - bh / 2, y - bh / 4, bh / 4, bh / 4, BICYCLIST, noise(10));
    cv.ellipse(x + bh / 2, y - bh / 4, bh / 4, bh / 4, BICYCLIST, noise(10));
    cv.ellipse(x, y - bh * 0.8, bh / 5, bh / 2.2, BICYCLIST, noise(12));
  }

  // Void: an unlabeled strip at the bottom (ego vehicle) in some images.
  if (rng.next() < 0.3) cv.rect(0, h - h * rng.uniform(0.03, 0.07), w, h, VOID, noise(5));

  const image = new Uint8Array(h * w * 3);
  for (let i = 0; i < image.length; i++) image[i] = Math.max(0, Math.min(255, Math.round(cv.rgb[i]! + rng.normal() * 10)));
  return { image, label: cv.label };
}

/** Default sizes: CamVid's split proportions at a size small enough for tests and `npm start`. */
export const SYNTHETIC_DEFAULTS: SyntheticOptions = {
  seed: 0,
  height: 72,
  width: 96,
  counts: { d_t: 40, d_s: 4, d_v: 80, val: 30, test: 40 },
};

export function makeSyntheticDataset(opts: SyntheticOptions = SYNTHETIC_DEFAULTS): SegDataset {
  const { seed, height, width, counts } = opts;
  if (!Number.isInteger(height) || !Number.isInteger(width) || height < 16 || width < 16) {
    throw new RangeError(`synthetic image size must be integers ≥ 16, got ${height}×${width}`);
  }
  const root = new Rng(seed);
  const make = (split: string, n: number): SegSample[] =>
    Array.from({ length: n }, (_, i) => {
      const { image, label } = generateScene(root.fork(`${split}/${i}`), height, width);
      return { id: `${split}-${String(i).padStart(4, '0')}`, image, label };
    });
  const d_t = make('d_t', counts.d_t);
  const d_s = make('d_s', counts.d_s);
  const d_v = make('d_v', counts.d_v);
  const splits: Partial<Record<SplitName, SegSample[]>> = {
    train: [...d_t, ...d_s, ...d_v],
    val: make('val', counts.val),
    test: make('test', counts.test),
    d_t,
    d_s,
    d_v,
  };
  return { name: `synthetic-${height}x${width}-s${seed}`, height, width, numClasses: 11, ignoreIndex: 11, classNames: CAMVID_CLASSES, splits };
}
