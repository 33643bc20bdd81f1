/**
 * Leaderboard statistics as pure functions, after rliable's metrics.py (Agarwal et al., NeurIPS 2021:
 * IQM, stratified bootstrap, probability of improvement) and DeepAL+'s area under the budget curve.
 * Scores are test mIoU in [0, 1] unless said otherwise.
 */
import jstat from 'jstat';
import { Rng } from '../../core/rng.ts';

const { jStat } = jstat;

/** A bootstrap seed that is a function of what is resampled: one comparison gets one interval wherever
 * the page prints it, whatever other agents share the board. */
export const bootstrapSeed = (what: string): number => new Rng(0).fork(what).nextUint32();

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
  return percentileInterval(values, level);
}

/** The central `level` interval of bootstrap replicates (sorted in place). */
function percentileInterval(values: number[], level: number): [number, number] {
  const reps = values.length;
  values.sort((a, b) => a - b);
  return [values[Math.floor(((1 - level) / 2) * reps)]!, values[Math.min(reps - 1, Math.ceil(((1 + level) / 2) * reps) - 1)]!];
}

/**
 * Interval of the mean of `matrix` [runs][seeds] (every run on the same seeds) that counts both the
 * training runs' and the seeds' luck: runs and seeds as crossed random effects (one value per cell),
 * Var(mean) = σ²_run/R + σ²_seed/S + σ²_e/(RS), estimated from the two-way ANOVA mean squares as
 * (MS_seed + max(0, MS_run − MS_e))/(RS), with Satterthwaite's degrees of freedom and a t quantile.
 * MS_seed/(RS) is the variance the seed-paired t interval of the runs' per-seed means uses, so its
 * standard error is never below that interval's (with runs that agree on every seed it is that
 * interval) and adds the runs' component where the data show one. Its degrees of freedom are
 * Satterthwaite's, capped at that interval's S − 1: uncapped, they count the runs too and made the
 * interval narrower than the seed-paired one it is meant to widen (5 runs on 2 seeds: [−1.8, +1.3]
 * beside [−3.8, +3.3]), when the seed component is known from S − 1 df alone. So it always contains
 * the seed-paired interval. A percentile bootstrap over 3 runs and 2 seeds (10 × 3 distinct draws) is
 * far narrower than either. `se` and `df` are returned for the record.
 */
export function crossedTInterval(matrix: readonly (readonly number[])[], level = 0.95): { ci: [number, number]; se: number; df: number } {
  const R = matrix.length, S = matrix[0]?.length ?? 0;
  if (R < 2 || S < 2 || matrix.some((row) => row.length !== S)) throw new RangeError(`a runs × seeds interval needs a full matrix of at least 2 × 2, got rows of ${matrix.map((r) => r.length).join(', ')}`);
  const grand = mean(matrix.flat());
  const rowMeans = matrix.map(mean);
  const colMeans = Array.from({ length: S }, (_, j) => mean(matrix.map((row) => row[j]!)));
  const msRun = (S * rowMeans.reduce((a, m) => a + (m - grand) ** 2, 0)) / (R - 1);
  const msSeed = (R * colMeans.reduce((a, m) => a + (m - grand) ** 2, 0)) / (S - 1);
  let sse = 0;
  for (let i = 0; i < R; i++) for (let j = 0; j < S; j++) sse += (matrix[i]![j]! - rowMeans[i]! - colMeans[j]! + grand) ** 2;
  const msErr = sse / ((R - 1) * (S - 1));
  // Var(mean)·RS = MS_seed + (MS_run − MS_e) where the runs' component is positive
  const terms = [{ c: 1, ms: msSeed, df: S - 1 }, ...(msRun > msErr ? [{ c: 1, ms: msRun, df: R - 1 }, { c: -1, ms: msErr, df: (R - 1) * (S - 1) }] : [])];
  const v = terms.reduce((a, t) => a + t.c * t.ms, 0);
  const se = Math.sqrt(v / (R * S));
  if (v === 0) return { ci: [grand, grand], se: 0, df: Infinity };
  const df = Math.min(S - 1, v ** 2 / terms.reduce((a, t) => a + (t.c * t.ms) ** 2 / t.df, 0));
  const half = tQuantile(1 - (1 - level) / 2, df) * se;
  return { ci: [grand - half, grand + half], se, df };
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
 * Seed pairs a paired comparison needs to resolve a true mean difference `delta` with probability
 * `power`, when the per-seed differences have standard deviation `sd` and the test runs at two-sided
 * level `alpha` (in a Holm family of m, its strictest threshold α/m): the smallest n with
 * t(1 − α/2; n − 1) + z(power) ≤ δ·√n / sd (the usual approximation of the paired t test's power, as
 * R's power.t.test gives it to within a seed), and never fewer than the exact sign-flip test needs to
 * reach below α at all (2/2ⁿ < α). A planning figure: the board's test is the sign-flip test, whose
 * power on few seeds is a little below the t test's. NaN unless sd ≥ 0 and delta > 0.
 */
export function seedsToResolve(sd: number, delta: number, alpha: number, power = 0.8): number {
  if (!(sd >= 0 && Number.isFinite(sd)) || !(delta > 0) || !(alpha > 0 && alpha < 1)) return NaN;
  const z = jStat.normal.inv(power, 0, 1);
  for (let n = Math.max(2, Math.floor(Math.log2(2 / alpha)) + 1); n <= 1_000_000; n++) {
    if (tQuantile(1 - alpha / 2, n - 1) + z <= (delta * Math.sqrt(n)) / sd) return n;
  }
  return Infinity;
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

/*
 * Exact paired statistics for a handful of seeds. A percentile bootstrap over n ≤ 20 seed pairs is
 * optimistic (over 10 pairs it called a difference resolved that the exact test below puts at p ≈ 0.07),
 * so the board's paired cells use a t interval, the exact sign-flip permutation test and Holm's step-down
 * correction within each family of cells (Holm 1979; Good, "Permutation Tests", ch. 3).
 */

/** Differences are compared on an integer grid of 1e-9 (of a mIoU fraction): sums are then exact, so
 * two sign patterns with equal |sum| count as equal whatever the order they were added in. */
const SIGN_FLIP_GRID = 1e9;
/** Up to this many pairs every sign pattern is enumerated (2^(n−1) by symmetry); above it, a seeded
 * Monte Carlo of SIGN_FLIP_DRAWS patterns with the (1 + count) / (1 + draws) estimate. */
const SIGN_FLIP_EXACT_MAX = 26;
const SIGN_FLIP_DRAWS = 1 << 20;

/**
 * Two-sided sign-flip permutation p-value of the mean of paired differences: the share of the 2ⁿ
 * patterns of signs s ∈ {±1}ⁿ whose |Σ sᵢ|dᵢ|| is at least the observed |Σ dᵢ|. Under H0 (the two agents
 * are exchangeable on each seed) every pattern is equally likely, so this is exact with no distributional
 * assumption; its smallest value is 2/2ⁿ (0.0020 at 10 pairs, 1.9e-6 at 20). NaN for no pairs.
 */
export function signFlipPValue(diffs: readonly number[], seed = 0): number {
  const n = diffs.length;
  if (n === 0) return NaN;
  const q = diffs.map((d) => Math.round(d * SIGN_FLIP_GRID));
  const observed = Math.abs(q.reduce((a, b) => a + b, 0));
  const mag = q.map(Math.abs);
  if (n <= SIGN_FLIP_EXACT_MAX) {
    // Gray code over the signs of the first n − 1 entries, the last fixed at +: each pattern and its
    // mirror image have the same |sum|, so half the patterns give the exact share
    const signs = new Int8Array(n).fill(1);
    let sum = mag.reduce((a, b) => a + b, 0);
    let hits = sum >= observed ? 1 : 0;
    const patterns = 2 ** (n - 1);
    for (let k = 1; k < patterns; k++) {
      const j = 31 - Math.clz32(k & -k);
      sum -= 2 * signs[j]! * mag[j]!;
      signs[j] = -signs[j]! as 1 | -1;
      if (Math.abs(sum) >= observed) hits++;
    }
    return hits / patterns;
  }
  const rng = new Rng(seed);
  let hits = 0;
  for (let r = 0; r < SIGN_FLIP_DRAWS; r++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += rng.int(2) ? mag[i]! : -mag[i]!;
    if (Math.abs(sum) >= observed) hits++;
  }
  return (1 + hits) / (1 + SIGN_FLIP_DRAWS);
}

/** The smallest p `signFlipPValue` can give on n pairs: 2/2ⁿ (the all-one-sign patterns), 1 under 2 pairs. */
export function signFlipFloor(n: number): number {
  return Math.min(1, 2 / 2 ** n);
}

/** Student-t quantile (jStat's inverse incomplete beta). */
export function tQuantile(p: number, df: number): number {
  return jStat.studentt.inv(p, df);
}

/** Two-sided `level` t interval of the mean of `xs`: mean ± t(n−1)·s/√n; [NaN, NaN] under 2 values. */
export function tInterval(xs: readonly number[], level = 0.95): [number, number] {
  if (xs.length < 2) return [NaN, NaN];
  const m = mean(xs);
  const half = tQuantile(1 - (1 - level) / 2, xs.length - 1) * (std(xs) / Math.sqrt(xs.length));
  return [m - half, m + half];
}

/**
 * Holm's step-down adjusted p-values (R's p.adjust(p, 'holm')): sorted ascending, the i-th of m is
 * multiplied by m − i + 1, then made non-decreasing and capped at 1. Controls the family-wise error rate
 * of the whole family at the level a single test would have. NaN entries are not in the family and stay NaN.
 */
export function holm(ps: readonly number[]): number[] {
  const order = ps.map((p, i) => [p, i] as const).filter(([p]) => !Number.isNaN(p)).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const out = ps.map(() => NaN);
  let running = 0;
  order.forEach(([p, i], k) => {
    running = Math.max(running, Math.min(1, (order.length - k) * p));
    out[i] = running;
  });
  return out;
}
