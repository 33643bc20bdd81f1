/**
 * Leaderboard statistics as pure functions, after rliable's metrics.py (Agarwal et al., NeurIPS 2021:
 * IQM, stratified bootstrap, probability of improvement) and DeepAL+'s area under the budget curve.
 * Scores are test mIoU in [0, 1] unless said otherwise.
 */
import { Rng } from '../env/core/rng.ts';

export function mean(xs: readonly number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
}

/** Middle value (mean of the two middle ones for an even count). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/** Sample standard deviation (n − 1); 0 for a single value. */
export function std(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
}

/** Interquartile mean: scipy.stats.trim_mean(x, 0.25) — drop ⌊n/4⌋ lowest and highest, average the rest. */
export function iqm(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const cut = Math.floor(s.length * 0.25);
  return mean(s.slice(cut, s.length - cut));
}

/**
 * Percentile 95 % interval of a statistic by stratified bootstrap: runs are resampled with
 * replacement within each stratum (here: each budget), `reps` times, from a seeded Rng.
 */
export function bootstrapCI(strata: readonly (readonly number[])[], stat: (xs: number[]) => number, reps = 2000, seed = 0, level = 0.95): [number, number] {
  const rng = new Rng(seed);
  const values: number[] = [];
  for (let r = 0; r < reps; r++) {
    const sample: number[] = [];
    for (const s of strata) for (let i = 0; i < s.length; i++) sample.push(s[rng.int(s.length)]!);
    values.push(stat(sample));
  }
  values.sort((a, b) => a - b);
  const lo = values[Math.floor(((1 - level) / 2) * reps)]!;
  const hi = values[Math.min(reps - 1, Math.ceil(((1 + level) / 2) * reps) - 1)]!;
  return [lo, hi];
}

/** Area under the budget curve by trapezoids, divided by the budget span (DeepAL+'s AUBC, normalised). */
export function aubc(budgets: readonly number[], scores: readonly number[]): number {
  if (budgets.length === 1) return scores[0]!;
  let area = 0;
  for (let i = 1; i < budgets.length; i++) area += ((scores[i]! + scores[i - 1]!) / 2) * (budgets[i]! - budgets[i - 1]!);
  return area / (budgets[budgets.length - 1]! - budgets[0]!);
}

/** Labels needed to reach `target` on a curve, linearly interpolated; null when never reached. */
export function labelsToReach(budgets: readonly number[], scores: readonly number[], target: number): number | null {
  if (scores[0]! >= target) return budgets[0]!;
  for (let i = 1; i < budgets.length; i++) {
    if (scores[i]! >= target) {
      const t = (target - scores[i - 1]!) / (scores[i]! - scores[i - 1]!);
      return budgets[i - 1]! + t * (budgets[i]! - budgets[i - 1]!);
    }
  }
  return null;
}

/** "% fewer labels": 100·(1 − ours / theirs) at the same target. */
export function percentFewerLabels(ours: number | null, theirs: number | null): number | null {
  return ours === null || theirs === null ? null : 100 * (1 - ours / theirs);
}

/** P(X > Y) + ½·P(X = Y) over all pairs: the Mann–Whitney U statistic / (n_x·n_y), as rliable. */
export function probabilityOfImprovement(x: readonly number[], y: readonly number[]): number {
  let s = 0;
  for (const a of x) for (const b of y) s += a > b ? 1 : a === b ? 0.5 : 0;
  return s / (x.length * y.length);
}

/** Mean IoU of the `k` classes rarest in `frequency` (class pixel frequencies), skipping missing IoUs. */
export function rareClassMIoU(perClassIoU: readonly (number | null)[], frequency: readonly number[], k: number): number {
  const order = frequency.map((f, c) => [f, c] as const).sort((a, b) => a[0] - b[0]).slice(0, k);
  return mean(order.map(([, c]) => perClassIoU[c]).filter((v): v is number => v !== null && v !== undefined));
}

/** Score as a percentage of the full-supervision upper bound. */
export function percentOfFull(score: number, upperBound: number): number {
  return (100 * score) / upperBound;
}

/** Seed-paired differences x_s − y_s over the seeds both have (by seed). */
export function pairedDifferences(x: ReadonlyMap<number, number>, y: ReadonlyMap<number, number>): number[] {
  return [...x.keys()].filter((s) => y.has(s)).sort((a, b) => a - b).map((s) => x.get(s)! - y.get(s)!);
}

/** Percentile 95 % interval of the mean of `xs` by bootstrap over its entries (seeded). */
export function bootstrapMeanCI(xs: readonly number[], reps = 2000, seed = 0, level = 0.95): [number, number] {
  if (xs.length === 0) return [NaN, NaN];
  return bootstrapCI([xs], mean, reps, seed, level);
}

/** P(X > Y) + ½·P(X = Y) over seed pairs (the paired probability of improvement). */
export function pairedProbabilityOfImprovement(diffs: readonly number[]): number {
  return diffs.length ? diffs.reduce((a, d) => a + (d > 0 ? 1 : d === 0 ? 0.5 : 0), 0) / diffs.length : NaN;
}

/**
 * Seeds per agent for a 95 % interval of ±δ on the difference of two agents' means when each has
 * seed-to-seed std σ (unpaired, normal approximation): n = ⌈2·(1.96·σ/δ)²⌉.
 */
export function seedsForDifference(sigma: number, delta: number): number {
  return Math.max(2, Math.ceil(2 * ((1.96 * sigma) / delta) ** 2));
}

/** Ranks 1..n of `xs`, ties sharing their mean rank. */
function ranks(xs: readonly number[]): number[] {
  const order = xs.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const r = new Array<number>(xs.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j++;
    for (let k = i; k <= j; k++) r[order[k]![1]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return r;
}

/** Spearman's rank correlation of paired samples (Pearson's on the ranks; NaN below 3 pairs or with no spread). */
export function spearman(x: readonly number[], y: readonly number[]): number {
  if (x.length !== y.length) throw new RangeError(`spearman: ${x.length} x values but ${y.length} y values`);
  if (x.length < 3) return NaN;
  const [rx, ry] = [ranks(x), ranks(y)];
  const [mx, my] = [mean(rx), mean(ry)];
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < rx.length; i++) {
    sxy += (rx[i]! - mx) * (ry[i]! - my);
    sxx += (rx[i]! - mx) ** 2;
    syy += (ry[i]! - my) ** 2;
  }
  return sxx === 0 || syy === 0 ? NaN : sxy / Math.sqrt(sxx * syy);
}
