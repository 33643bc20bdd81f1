/** Number formatting of the leaderboard's tables and sentences: a missing value prints as '–', never NaN. */

const missing = (v: number | null | undefined): v is null | undefined => v === null || v === undefined || Number.isNaN(v);

/** A fraction as a percentage with `d` decimals. */
export const pct = (v: number | null | undefined, d = 1): string => (missing(v) ? '–' : (100 * v).toFixed(d));

/** A difference of fractions in signed points with one decimal (+1.2, −0.3). */
export const pts = (v: number): string => `${v >= 0 ? '+' : '−'}${Math.abs(100 * v).toFixed(1)}`;

/** A "% fewer labels" bound as the sentences print it (+12, −4), 'not reached' for −Infinity (aggregate.ts LabelSaving). */
export const savingBound = (v: number): string => (Number.isFinite(v) ? `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(0)}` : 'not reached');

/** A p-value to two significant digits (0.047, 0.13, 0.002), exponent form under 0.001: never rounded onto 0.05 from below. */
export const pValue = (p: number): string => (Number.isNaN(p) ? '–' : p >= 0.001 ? String(Number(p.toPrecision(2))) : p.toExponential(1));

/** A number with `d` decimals, after dividing by `scale` (ms → s: 1000). */
export const fixed = (v: number | null | undefined, d: number, scale = 1): string => (missing(v) ? '–' : (v / scale).toFixed(d));

/** Minutes per run, with the budget they were measured at when it is not the board's largest (`lastB`). */
export const runMinutes = (a: { runMs: number; costBudget: number }, lastB: number): string => `${fixed(a.runMs, 1, 60000)}${a.costBudget !== lastB ? ` (at ${a.costBudget})` : ''}`;

/**
 * The fewest seed pairs behind some comparisons when they are too few for any finding (under 5: the
 * exact sign-flip test's smallest p is then 2/2⁴ = 0.125, so no cell can be resolved), else null.
 */
export function fewSeedPairs(cs: readonly ({ pairs: number } | null | undefined)[]): number | null {
  const n = Math.min(...cs.filter((c): c is { pairs: number } => !!c).map((c) => c.pairs));
  return Number.isFinite(n) && n < 5 ? n : null;
}

/*
 * Escaping by context. Agent labels, protocol names and policy directory names are data read from runs
 * files and the command line: they reach a page only through one of these.
 */

/** HTML text and attribute values (double- or single-quoted). */
export const escHtml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/** Markdown text: no raw HTML, no link or image syntax, no line breaks. */
export const mdText = (s: string): string => s.replace(/[\r\n]+/g, ' ').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\]\(/g, ']\\(').replace(/!\[/g, '!\\[');

/** A Markdown table cell: Markdown text that cannot end its cell. */
export const mdCell = (s: string): string => mdText(s).replace(/\|/g, '\\|');

/** A file-name fragment: letters, digits and `=.#-`, everything else `_` (may collide: see uniqueFileNames). */
export const fileFragment = (s: string): string => s.replace(/[^a-z0-9=.#-]/gi, '_');

