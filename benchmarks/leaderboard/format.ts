/** Number formatting of the leaderboard's tables and sentences: a missing value prints as '–', never NaN. */

const missing = (v: number | null | undefined): v is null | undefined => v === null || v === undefined || Number.isNaN(v);

/** A fraction as a percentage with `d` decimals. */
export const pct = (v: number | null | undefined, d = 1): string => (missing(v) ? '–' : (100 * v).toFixed(d));

/** A difference of fractions in signed points with one decimal (+1.2, −0.3). */
export const pts = (v: number): string => `${v >= 0 ? '+' : '−'}${Math.abs(100 * v).toFixed(1)}`;

/** A number with `d` decimals, after dividing by `scale` (ms → s: 1000). */
export const fixed = (v: number | null | undefined, d: number, scale = 1): string => (missing(v) ? '–' : (v / scale).toFixed(d));

/** Minutes per run, with the budget they were measured at when it is not the board's largest (`lastB`). */
export const runMinutes = (a: { runMs: number; costBudget: number }, lastB: number): string => `${fixed(a.runMs, 1, 60000)}${a.costBudget !== lastB ? ` (at ${a.costBudget})` : ''}`;

/**
 * The fewest seed pairs behind some comparisons when they are too few to trust a percentile bootstrap
 * (under 5: over 3 pairs it has 10 distinct resamples and intervals too narrow), else null.
 */
export function fewSeedPairs(cs: readonly ({ pairs: number } | null | undefined)[]): number | null {
  const n = Math.min(...cs.filter((c): c is { pairs: number } => !!c).map((c) => c.pairs));
  return Number.isFinite(n) && n < 5 ? n : null;
}
