/**
 * The board restricted to whole seeds: the evaluation seeds on which every agent in the records has a run
 * at every budget. While a sweep adds seeds one at a time, its runs file holds seeds some agents have not
 * finished; a page read from whole seeds alone compares every agent on the same seeds, and the rule — not
 * a hand-picked seed list — decides which seeds count, so it cannot pick the lucky ones.
 */
import { ConfigError } from '../../core/errors.ts';
import { counted } from '../../core/text.ts';
import type { RunRecord } from '../sweep/run-record.ts';

/** The runs a whole-seeds board leaves out. */
export interface LeftOut {
  readonly runs: number;
  /** Seeds with some runs but not every agent's at every budget, ascending. */
  readonly seeds: readonly number[];
}

/** What was left out, as the page, the comparison and the command say it: "57 runs on seed 101". */
export const leftOutText = (l: LeftOut): string => `${counted(l.runs, 'run')} on ${l.seeds.length === 1 ? 'seed' : 'seeds'} ${l.seeds.join(', ')}`;

export function wholeSeeds(records: readonly RunRecord[]): { kept: RunRecord[]; leftOut: LeftOut } {
  const agents = new Set(records.map((r) => r.agentId));
  const budgets = new Set(records.map((r) => r.budgetRegions));
  const cells = new Map<number, Set<string>>();
  for (const r of records) (cells.get(r.seed) ?? cells.set(r.seed, new Set()).get(r.seed)!).add(`${r.agentId}\u0000${r.budgetRegions}`);
  const whole = new Set([...cells].filter(([, have]) => have.size === agents.size * budgets.size).map(([seed]) => seed));
  if (records.length > 0 && whole.size === 0) {
    throw new ConfigError(`--whole-seeds: no seed has a run of every agent (${agents.size}) at every budget (${[...budgets].sort((a, b) => a - b).join(', ')}); seeds in the records: ${[...cells.keys()].sort((a, b) => a - b).join(', ')}`);
  }
  const kept = records.filter((r) => whole.has(r.seed));
  const seeds = [...cells.keys()].filter((s) => !whole.has(s)).sort((a, b) => a - b);
  return { kept, leftOut: { runs: records.length - kept.length, seeds } };
}
