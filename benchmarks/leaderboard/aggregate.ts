/**
 * From run records to the leaderboard's numbers (pure; the renderers only format). Every agent runs
 * on the same seeds, so agents are compared paired by seed: the mean of the per-seed differences to
 * random and to the best baseline, per budget and for AUBC, with a 95 % t interval over seeds and the
 * exact sign-flip p-value. A difference is "resolved" only when its Holm-adjusted p is below 0.05 within
 * its family: the AUBC cells of one table are one family, that table's per-budget cells another.
 */
import { RANDOM_AGENT } from '../../agents/registry.ts';
import { ConfigError } from '../../core/errors.ts';
import type { RunRecord } from '../sweep/run-record.ts';
import type { PendingReplicate, ReplicateSpread } from './replicates.ts';
import type { LeftOut } from './whole-seeds.ts';
import { runIndex, type PairedDifference, type RunIndex } from './run-index.ts';
import { bootstrapCI, bootstrapMeanCI, bootstrapSeed, holm, iqm, labelsToReach, mean, percentFewerLabels, percentOfFull, seedsToResolve, signFlipPValue, std } from './stats.ts';

export interface Cell {
  n: number;
  mean: number;
  std: number;
  iqm: number;
  /** 95 % stratified-bootstrap interval of the IQM. */
  ci: [number, number];
  /** 95 % bootstrap interval of the mean (the plots' bands). */
  meanCi: [number, number];
}

/** Significance level of every family on the board. */
export const FAMILY_ALPHA = 0.05;

/** A paired difference judged within its family of comparisons (Holm). */
export interface Judged {
  /** Holm-adjusted p over the family. */
  pAdjusted: number;
  /** Comparisons in the family (the cells of one table's AUBC column, or of its per-budget columns). */
  familySize: number;
  /** pAdjusted < FAMILY_ALPHA. */
  resolved: boolean;
}

/** A paired comparison of an agent with `other` (the other agent's label), judged within its family. */
export interface Comparison extends PairedDifference, Judged {
  other: string;
}

/**
 * Seeds a comparison would need to resolve a difference of `points` AUBC points with 80 % power, at a
 * spread `sdDiff` of its per-seed differences (a fraction, as the scores) and the strictest Holm
 * threshold of a family of `familySize` (α/m): what "run more seeds" means on a board (stats.ts seedsToResolve).
 */
export function seedsToResolvePoints(sdDiff: number, familySize: number, points = 1): number {
  return seedsToResolve(sdDiff, points / 100, FAMILY_ALPHA / Math.max(1, familySize));
}

/** Holm's correction over one family of cells (nulls are not in it): each cell with its adjusted p and verdict. */
export function judgeFamily<T extends PairedDifference>(cells: readonly (T | null)[]): ((T & Judged) | null)[] {
  const adjusted = holm(cells.map((c) => (c ? c.p : NaN)));
  const familySize = cells.filter((c) => c !== null).length;
  return cells.map((c, i) => (c ? { ...c, pAdjusted: adjusted[i]!, familySize, resolved: adjusted[i]! < FAMILY_ALPHA } : null));
}

/**
 * A table of paired cells, one row per comparison and one column per budget then AUBC (last), judged as
 * two families: the AUBC column (the board's primary endpoint: one test per row) and the per-budget cells.
 */
export function judgeTable<T extends PairedDifference>(rows: readonly (readonly (T | null)[])[]): ((T & Judged) | null)[][] {
  const last = (r: readonly unknown[]) => r.length - 1;
  const aubc = judgeFamily(rows.map((r) => r[last(r)] ?? null));
  const perBudget = judgeFamily(rows.flatMap((r) => r.slice(0, last(r))));
  let k = 0;
  return rows.map((r, i) => [...r.slice(0, last(r)).map(() => perBudget[k++]!), aubc[i]!]);
}

/**
 * The paper's headline metric against the best baseline at one budget: labels the agent needs to reach
 * the baseline's mean mIoU at `budget`, read off the agent's mean curve by linear interpolation, as
 * "% fewer labels" = 100·(1 − labels / budget), with a paired percentile bootstrap over seeds.
 */
export interface LabelSaving {
  budget: number;
  /** The best baseline's mean mIoU at `budget`. */
  target: number;
  /** Seeds both agents have a full curve on. */
  pairs: number;
  /** null: the agent's mean curve never reaches the target within the board's budgets. */
  labels: number | null;
  percentFewer: number | null;
  /** The agent already reaches the target at the first budget: the saving is at least `percentFewer`. */
  atLeast: boolean;
  /** 95 % interval; −Infinity where resampled curves did not reach the target. */
  ci: [number, number];
}

export interface AgentSummary {
  agent: string;
  agentId: string;
  baseline: boolean;
  privileged: boolean;
  seeds: number[];
  /** Per budget (same order as `budgets`). */
  cells: (Cell | null)[];
  aubcMean: number;
  /** Seeds with a run at every budget (those the AUBC is over). */
  aubcSeeds: number;
  aubcStd: number;
  aubcCi: [number, number];
  /** Paired against random / the best baseline: per budget, then AUBC last. */
  vsRandom: (Comparison | null)[];
  vsBestBaseline: (Comparison | null)[];
  labelsToTarget: number | null;
  /** Learned agents: the paper's headline metric against the best baseline at each budget past the first. */
  labelSavings: LabelSaving[] | null;
  rareClassMIoU: number;
  balanceEntropy: number;
  /** Mean test IoU per class at the largest budget (null: class absent from the test set). */
  perClassIoU: (number | null)[];
  /** Mean labelled-pixel share per class (+ void) at the largest budget. */
  labeledShare: number[];
  percentOfFull: number | null;
  /**
   * Mean wall time of one labelling step, and of one whole run (labelling to the budget, final
   * training, test), at `costBudget`: the agent's own largest budget, since an agent run on fewer
   * budgets (the oracle) would otherwise have no cost to show.
   */
  stepMs: number;
  runMs: number;
  costBudget: number;
}

export interface Leaderboard {
  protocol: string;
  protocolHash: string;
  model: { name: string; [k: string]: unknown };
  dataset: { name: string; classNames: string[] };
  training: string;
  budgets: number[];
  seeds: number[];
  agents: AgentSummary[];
  bestBaseline: string | null;
  /** Id of the deployable agent (baselines and policies, no upper bound) with the highest AUBC, chosen
   * under the best baseline's seed guard: what an upper bound's headroom is measured against. */
  bestDeployableId: string | null;
  target: number;
  /** The three rarest classes among the pixels random labelled, pooled over all its runs at every budget
   * (≈ the pool's distribution; every run pooled when there is no random). */
  rareClasses: number[];
  upperBound: number | null;
  /**
   * With per-seed protocol-rule bounds that share seeds with the runs: each agent's mean at each budget
   * against the bounds' mean over the same seeds (a ceiling holds seed by seed, like every comparison
   * here); `above` lists the cells past it, each with the exact sign-flip p of its per-seed differences
   * from the bound, Holm-adjusted over every cell checked (`checked`): a cell resolved above the bound
   * means the final training is wrong; one unresolved may be the checkpoint choice's noise.
   */
  ceiling?: { seeds: number; checked: number; above: CeilingCell[] };
  /** With a bound from several seeds: their std and count (absent for one seed). */
  upperBoundSpread?: { std: number; n: number };
  /** Runs on seeds not every agent has finished, left out of a whole-seeds board (whole-seeds.ts; set by write.ts). */
  leftOut?: LeftOut;
  /** Learned agents trained several times: each run's AUBC and the runs × seeds intervals (set by write.ts). */
  replicates?: ReplicateSpread[];
  /** Checkpoint rules of configurations trained several times that only some runs are benched for yet: withheld from the board (set by write.ts). */
  pendingReplicates?: PendingReplicate[];
  /** Bootstrap replicates behind the IQM intervals, the plots' bands and the label savings. */
  bootstrapReps: number;
  runs: number;
  /** (agent, seed) trajectories, and their wall time summed from the records: each trajectory's
   * labelling to its last budget (labelingMs is cumulative) plus every final training and test. */
  trajectories: number;
  runTimeMs: number;
}

/** The board's largest budget: where the per-class, cost and final-mIoU figures are read. */
export function lastBudget(lb: Pick<Leaderboard, 'budgets'>): number {
  return lb.budgets[lb.budgets.length - 1]!;
}

/** One record per key, a single protocol content, one engine and learner: else a ConfigError saying which. */
export function checkComparable(records: readonly RunRecord[]): void {
  if (records.length === 0) throw new ConfigError('no run records');
  const hashes = new Set(records.map((r) => `${r.protocol}@${r.protocolHash}`));
  if (hashes.size !== 1) throw new ConfigError(`a leaderboard covers one protocol; the records hold ${[...hashes].join(', ')}`);
  const datasets = new Set(records.map((r) => r.dataset.name));
  if (datasets.size !== 1) throw new ConfigError(`a leaderboard covers one data set; the records hold ${[...datasets].join(', ')} (one protocol run on different folders?)`);
  const engines = new Set(records.map((r) => r.training));
  if (engines.size !== 1) throw new ConfigError(`the records mix gradient engines (${[...engines].join(', ')}): they are not comparable number for number`);
  // one of your agents run in two versions of its code (module:<file>@<hash>): pooling them would mix
  // two agents under one name; the command line's --keep-agent chooses (keepAgentVersions)
  const versions = new Map<string, Set<string>>();
  for (const r of records) if (r.agentId.startsWith('module:')) (versions.get(r.agent) ?? versions.set(r.agent, new Set()).get(r.agent)!).add(r.agentId);
  for (const [label, ids] of versions)
    if (ids.size > 1) throw new ConfigError(`agent '${label}' is in the records in ${ids.size} versions of its code (${[...ids].join(', ')}): pass --keep-agent with the id to keep, or give the files different names`);
  const seen = new Set<string>();
  for (const r of records) {
    const k = `${r.agentId}|${r.seed}|${r.budgetRegions}`;
    if (seen.has(k)) throw new ConfigError(`two records for ${r.agent} seed ${r.seed} budget ${r.budgetRegions}: the same run twice (merge the runs files first)`);
    seen.add(k);
  }
}

/** Keep, of an agent run in several versions of its code, only the records of the ids in `keep` (the others of the same label are dropped). */
export function keepAgentVersions(records: readonly RunRecord[], keep: readonly string[]): RunRecord[] {
  if (keep.length === 0) return [...records];
  const labels = new Map<string, string>();
  for (const id of keep) {
    const r = records.find((x) => x.agentId === id);
    if (!r) throw new ConfigError(`--keep-agent ${id}: no record has that agent id`);
    labels.set(r.agent, id);
  }
  return records.filter((r) => !labels.has(r.agent) || labels.get(r.agent) === r.agentId);
}

/** The paper's "% fewer labels" of `x` against `y` at `budget` (see LabelSaving), over their common full curves. */
export function labelSaving(index: RunIndex, x: string, y: string, budget: number, reps: number): LabelSaving | null {
  const { budgets } = index;
  const [cx, cy] = [index.curvesBySeed(x), index.curvesBySeed(y)];
  const seeds = [...cx.keys()].filter((s) => cy.has(s)).sort((a, b) => a - b);
  const j = budgets.indexOf(budget);
  if (seeds.length < 2 || j < 0) return null;
  const meanCurve = (curves: ReadonlyMap<number, readonly number[]>, ss: readonly number[]) => budgets.map((_, i) => mean(ss.map((s) => curves.get(s)![i]!)));
  const saving = (ss: readonly number[]) => {
    const target = meanCurve(cy, ss)[j]!;
    const curve = meanCurve(cx, ss);
    const labels = labelsToReach(budgets, curve, target);
    return { target, labels, atLeast: curve[0]! >= target, percentFewer: percentFewerLabels(labels, budget) };
  };
  // seeds resampled in pairs: each draw is a list of seeds, both agents' curves read on it
  const ci = bootstrapCI([seeds], (ss) => saving(ss).percentFewer ?? -Infinity, reps, bootstrapSeed(`labels ${x} − ${y} @ ${budget}`));
  return { budget, pairs: seeds.length, ...saving(seeds), ci };
}

const pick = ({ pAdjusted, familySize, resolved }: Judged): Judged => ({ pAdjusted, familySize, resolved });

/** Trajectories and their summed wall time (see Leaderboard.runTimeMs). */
export function trajectoryTime(records: readonly RunRecord[]): { trajectories: number; runTimeMs: number } {
  const labelling = new Map<string, number>();
  let evaluation = 0;
  for (const r of records) {
    labelling.set(r.trajectory, Math.max(labelling.get(r.trajectory) ?? 0, r.timings.labelingMs));
    evaluation += r.timings.finalTrainMs + r.timings.testMs;
  }
  return { trajectories: labelling.size, runTimeMs: evaluation + [...labelling.values()].reduce((a, b) => a + b, 0) };
}

export function aggregate(records: readonly RunRecord[], upperBound: number | null = null, reps = 2000, boundBySeed?: ReadonlyMap<number, number>): Leaderboard {
  checkComparable(records);
  const first = records[0]!;
  const index = runIndex(records);
  const { budgets, runs: of, at, aubcBySeed, paired } = index;
  const seeds = [...new Set(records.map((r) => r.seed))].sort((a, b) => a - b);
  const ids = [...new Set(records.map((r) => r.agentId))];
  const label = new Map(records.map((r) => [r.agentId, r.agent]));
  // two ids under one label (two policies): tell them apart
  const labels = [...label.values()];
  for (const [id, l] of label) if (labels.filter((x) => x === l).length > 1) label.set(id, `${l} (${id.split('@')[1] ?? id})`);
  const curve = (id: string) => budgets.map((b) => mean(at(id, b).map((r) => r.testMIoU)));
  const maxB = budgets[budgets.length - 1]!;
  const random = ids.find((id) => id === RANDOM_AGENT) ?? null;
  const baselines = ids.filter((id) => of(id)[0]!.baseline && !of(id)[0]!.privileged);
  const aubcMean = (id: string) => mean([...aubcBySeed(id).values()]);
  // the best baseline needs an AUBC (all budgets) on at least 2 seeds and on half as many seeds as the
  // best-covered baseline: an agent run on some budgets, or on one lucky seed, cannot be the reference
  const aubcSeeds = (id: string) => aubcBySeed(id).size;
  const enoughSeeds = Math.max(2, Math.ceil(Math.max(0, ...baselines.map(aubcSeeds)) / 2));
  const bestOf = (pool: string[]) => {
    const ranked = pool.filter((id) => aubcSeeds(id) >= enoughSeeds);
    return ranked.length ? ranked.reduce((b, id) => (aubcMean(id) > aubcMean(b) ? id : b), ranked[0]!) : null;
  };
  const bestBaseline = bestOf(baselines);
  const bestDeployable = bestOf(ids.filter((id) => !of(id)[0]!.privileged));

  const finals = ids.map((id) => curve(id)[budgets.length - 1]!).filter((v) => !Number.isNaN(v));
  const target = random ? curve(random)[budgets.length - 1]! : Math.min(...finals);
  const pooled = (random ? of(random) : records).reduce<number[]>((acc, r) => r.labeledClassHistogram.map((v, i) => (acc[i] ?? 0) + v), []);
  const classes = pooled.slice(0, -1);
  const rareClasses = classes.map((f, c) => [f, c] as const).sort((a, b) => a[0] - b[0]).slice(0, 3).map(([, c]) => c);
  const C = first.testPerClassIoU.length;

  const summaries: AgentSummary[] = ids.map((id) => {
    const cells = budgets.map((b) => {
      const xs = at(id, b).map((r) => r.testMIoU);
      if (xs.length === 0) return null;
      return { n: xs.length, mean: mean(xs), std: std(xs), iqm: iqm(xs), ci: bootstrapCI([xs], iqm, reps, b) as [number, number], meanCi: bootstrapMeanCI(xs, reps, b + 1) };
    });
    const a = aubcBySeed(id);
    const av = [...a.values()];
    // judged below, once every agent's row of each table is known (Holm over the table's families)
    const versus = (otherId: string | null): (Comparison | null)[] => {
      if (!otherId || otherId === id) return budgets.map(() => null).concat([null]);
      const other = label.get(otherId)!;
      return paired(id, otherId).map((p) => (p ? { ...p, other, pAdjusted: NaN, familySize: 0, resolved: false } : null));
    };
    const final = at(id, maxB);
    // per-step cost does not depend on the budget much: an agent run on fewer budgets shows its largest
    const ownMaxB = Math.max(...of(id).map((r) => r.budgetRegions));
    const largest = at(id, ownMaxB);
    const bestOther = id === bestBaseline ? bestOf(baselines.filter((x) => x !== id)) : bestBaseline;
    const perClassIoU = Array.from({ length: C }, (_, c) => {
      const vs = final.map((r) => r.testPerClassIoU[c]).filter((v): v is number => v !== null && v !== undefined);
      return vs.length ? mean(vs) : null;
    });
    return {
      agent: label.get(id)!,
      agentId: id,
      baseline: of(id)[0]!.baseline,
      privileged: of(id)[0]!.privileged,
      seeds: [...new Set(of(id).map((r) => r.seed))].sort((x, y) => x - y),
      cells,
      aubcMean: mean(av),
      aubcSeeds: av.length,
      // one seed has no spread to speak of: NaN, shown as '–'
      aubcStd: av.length > 1 ? std(av) : NaN,
      aubcCi: bootstrapMeanCI(av, reps, bootstrapSeed(`AUBC of ${id}`)),
      vsRandom: versus(random),
      vsBestBaseline: versus(bestOther),
      labelsToTarget: labelsToReach(budgets, curve(id), target),
      labelSavings: !of(id)[0]!.baseline && bestOther ? budgets.slice(1).map((b) => labelSaving(index, id, bestOther, b, reps)).filter((v): v is LabelSaving => v !== null) : null,
      rareClassMIoU: mean(final.map((r) => mean(rareClasses.map((c) => r.testPerClassIoU[c]).filter((v): v is number => v !== null && v !== undefined)))),
      balanceEntropy: mean(final.map((r) => r.labeledClassBalanceEntropy)),
      perClassIoU,
      labeledShare: final.length ? final[0]!.labeledClassHistogram.map((_, c) => mean(final.map((r) => r.labeledClassHistogram[c]! / r.labeledClassHistogram.reduce((x, y) => x + y, 0)))) : [],
      percentOfFull: upperBound ? percentOfFull(mean(final.map((r) => r.testMIoU)), upperBound) : null,
      stepMs: mean(largest.map((r) => r.timings.labelingMs / Math.max(1, r.labelingSteps))),
      runMs: mean(largest.map((r) => r.timings.labelingMs + r.timings.finalTrainMs + r.timings.testMs)),
      costBudget: ownMaxB,
    };
  });
  // each paired table is judged as its two families (judgeTable) over the deployable agents' rows; upper
  // bounds that read the labels answer another question (headroom), so their rows form families of their own
  for (const table of ['vsRandom', 'vsBestBaseline'] as const)
    for (const privileged of [false, true]) {
      const rows = summaries.filter((s) => s.privileged === privileged);
      const judged = judgeTable(rows.map((s) => s[table]));
      rows.forEach((s, i) => {
        s[table] = s[table].map((c, j) => (c ? { ...c, ...pick(judged[i]![j]!) } : null));
      });
    }
  // order: by AUBC, privileged (upper bounds) last
  // (agents without an AUBC — run on fewer budgets — after those with one)
  const byAubc = (x: AgentSummary) => (Number.isNaN(x.aubcMean) ? -Infinity : x.aubcMean);
  summaries.sort((x, y) => Number(x.privileged) - Number(y.privileged) || byAubc(y) - byAubc(x) || x.agentId.localeCompare(y.agentId));
  return {
    protocol: first.protocol,
    protocolHash: first.protocolHash,
    model: first.model,
    dataset: first.dataset,
    training: first.training,
    budgets: [...budgets],
    seeds,
    agents: summaries,
    bestBaseline: bestBaseline ? label.get(bestBaseline)! : null,
    bestDeployableId: bestDeployable,
    target,
    rareClasses,
    upperBound,
    ...(boundBySeed ? pairedCeiling(ids, budgets, at, label, boundBySeed) : {}),
    bootstrapReps: reps,
    runs: records.length,
    ...trajectoryTime(records),
  };
}

/** One agent × budget cell whose mean is above the bounds of the same seeds. */
export interface CeilingCell {
  agent: string;
  budget: number;
  mean: number;
  bound: number;
  seeds: number;
  /** Exact sign-flip p of the per-seed differences from the bound, Holm-adjusted over the cells checked. */
  pHolm: number;
}

/** The ceiling check on the seeds runs and bounds share (nothing when they share none). */
function pairedCeiling(ids: readonly string[], budgets: readonly number[], at: (id: string, b: number) => readonly RunRecord[], label: ReadonlyMap<string, string>, bound: ReadonlyMap<number, number>): Pick<Leaderboard, 'ceiling'> {
  const shared = new Set<number>();
  const cells: (Omit<CeilingCell, 'pHolm'> & { p: number })[] = [];
  for (const id of ids)
    for (const b of budgets) {
      const runs = at(id, b).filter((r) => bound.has(r.seed));
      if (runs.length === 0) continue;
      runs.forEach((r) => shared.add(r.seed));
      const diffs = runs.map((r) => r.testMIoU - bound.get(r.seed)!);
      cells.push({ agent: label.get(id)!, budget: b, mean: mean(runs.map((r) => r.testMIoU)), bound: mean(runs.map((r) => bound.get(r.seed)!)), seeds: runs.length, p: signFlipPValue(diffs) });
    }
  // the family is every cell checked: a cell is resolved above only after correcting for all of them
  const adjusted = holm(cells.map((c) => c.p));
  const above = cells.flatMap(({ p: _p, ...c }, i) => (c.mean > c.bound ? [{ ...c, pHolm: adjusted[i]! }] : []));
  return shared.size > 0 ? { ceiling: { seeds: shared.size, checked: cells.length, above } } : {};
}
