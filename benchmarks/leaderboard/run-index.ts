/**
 * The run records read by agent, seed and budget, and the seed-paired difference of two agents that
 * every table, the research questions and the replicates' spread compute from them. Apart from
 * aggregate.ts so that replicates.ts can read it too without importing the board's assembly.
 */
import type { RunRecord } from '../sweep/run-record.ts';
import { aubc, bootstrapSeed, mean, pairedDifferences, pairedProbabilityOfImprovement, signFlipPValue, std, tInterval } from './stats.ts';

/** x − y over the two agents' common seeds (mIoU fractions). */
export interface PairedDifference {
  pairs: number;
  meanDiff: number;
  /** Seed-to-seed standard deviation of the per-seed differences (what decides how many seeds a difference needs). */
  sdDiff: number;
  /** 95 % t interval of the mean difference (unadjusted). */
  ci: [number, number];
  /** Exact two-sided sign-flip permutation p-value (stats.ts signFlipPValue), before any correction. */
  p: number;
  probImprovement: number;
}

/** x − y paired by seed (null under 2 pairs); `key` names the comparison (agent ids and budget) and seeds
 * the sign-flip test's Monte Carlo, used only past 26 pairs. */
function pairedDifference(x: ReadonlyMap<number, number>, y: ReadonlyMap<number, number>, key: string): PairedDifference | null {
  const d = pairedDifferences(x, y);
  if (d.length < 2) return null;
  return { pairs: d.length, meanDiff: mean(d), sdDiff: std(d), ci: tInterval(d), p: signFlipPValue(d, bootstrapSeed(key)), probImprovement: pairedProbabilityOfImprovement(d) };
}

/** The run records read by agent, seed and budget: an agent's runs, its runs at a budget, its test
 * mIoU by seed at a budget, and its AUBC by seed over the seeds with a run at every budget of the board.
 * Built once per records array (the aggregate and the research questions read the same one) and each
 * agent's AUBC computed once, since ranking and every pairing ask for it. Memoized on the array's
 * identity: the records are read-only once read (push to a new array, not to one already indexed). */
export interface RunIndex {
  /** The board's budgets, ascending. */
  budgets: readonly number[];
  runs: (agentId: string) => readonly RunRecord[];
  at: (agentId: string, budget: number) => readonly RunRecord[];
  bySeed: (agentId: string, budget: number) => ReadonlyMap<number, number>;
  aubcBySeed: (agentId: string) => ReadonlyMap<number, number>;
  /** Test mIoU at every budget of the board, by seed, for the seeds with a run at each. */
  curvesBySeed: (agentId: string) => ReadonlyMap<number, readonly number[]>;
  /** x − y paired by seed at each budget, then in AUBC (last); null where under 2 seed pairs. Computed
   * once per (x, y): the tables and the research questions print the same comparisons (each judges them
   * within its own family: judgeTable). */
  paired: (x: string, y: string) => readonly (PairedDifference | null)[];
}

const indexes = new WeakMap<readonly RunRecord[], RunIndex>();

export function runIndex(records: readonly RunRecord[]): RunIndex {
  const known = indexes.get(records);
  if (known) return known;
  const budgets = [...new Set(records.map((r) => r.budgetRegions))].sort((a, b) => a - b);
  const byAgent = new Map<string, RunRecord[]>();
  const byAgentBudget = new Map<string, RunRecord[]>();
  const push = <K>(m: Map<K, RunRecord[]>, k: K, r: RunRecord) => {
    const rs = m.get(k);
    if (rs) rs.push(r);
    else m.set(k, [r]);
  };
  for (const r of records) {
    push(byAgent, r.agentId, r);
    push(byAgentBudget, `${r.agentId}\u0000${r.budgetRegions}`, r);
  }
  const at = (id: string, b: number) => byAgentBudget.get(`${id}\u0000${b}`) ?? [];
  const aubcs = new Map<string, ReadonlyMap<number, number>>();
  const fullCurves = new Map<string, ReadonlyMap<number, readonly number[]>>();
  const pairs = new Map<string, readonly (PairedDifference | null)[]>();
  const index: RunIndex = {
    budgets,
    runs: (id) => byAgent.get(id) ?? [],
    at,
    bySeed: (id, b) => new Map(at(id, b).map((r) => [r.seed, r.testMIoU])),
    curvesBySeed: (id) => {
      const known = fullCurves.get(id);
      if (known) return known;
      const curves = new Map<number, (number | undefined)[]>();
      budgets.forEach((b, i) => {
        for (const r of at(id, b)) {
          const c = curves.get(r.seed) ?? curves.set(r.seed, budgets.map(() => undefined)).get(r.seed)!;
          c[i] ??= r.testMIoU;
        }
      });
      const m = new Map<number, readonly number[]>();
      for (const s of [...curves.keys()].sort((a, b) => a - b)) {
        const curve = curves.get(s)!;
        if (curve.every((v) => v !== undefined)) m.set(s, curve as number[]);
      }
      fullCurves.set(id, m);
      return m;
    },
    aubcBySeed: (id) => {
      const known = aubcs.get(id);
      if (known) return known;
      const m = new Map([...index.curvesBySeed(id)].map(([s, curve]) => [s, aubc(budgets, curve)] as const));
      aubcs.set(id, m);
      return m;
    },
    paired: (x, y) => {
      const key = `${x}\u0000${y}`;
      const known = pairs.get(key);
      if (known) return known;
      const ps = [
        ...budgets.map((b) => pairedDifference(index.bySeed(x, b), index.bySeed(y, b), `${x} − ${y} @ ${b}`)),
        pairedDifference(index.aubcBySeed(x), index.aubcBySeed(y), `${x} − ${y} @ AUBC`),
      ];
      pairs.set(key, ps);
      return ps;
    },
  };
  indexes.set(records, index);
  return index;
}
