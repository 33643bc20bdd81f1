/** Number formatting of the leaderboard's tables and sentences: a missing value prints as '–', never NaN. */

const missing = (v: number | null | undefined): v is null | undefined => v === null || v === undefined || Number.isNaN(v);

/** A fraction as a percentage with `d` decimals. */
export const pct = (v: number | null | undefined, d = 1): string => (missing(v) ? '–' : (100 * v).toFixed(d));

/** A number with `d` decimals, after dividing by `scale` (ms → s: 1000). */
export const fixed = (v: number | null | undefined, d: number, scale = 1): string => (missing(v) ? '–' : (v / scale).toFixed(d));
