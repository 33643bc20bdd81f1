/**
 * A learned agent trained several times: its training runs (train-policy outputs with the same
 * protocol and settings, different seeds) evaluated on the same seeds are one agent, not one lucky
 * checkpoint. The board gets one row per replicated agent and checkpoint rule — the mean over its
 * training runs at every (seed, budget) every run has — which the ordinary paired statistics then
 * compare with the baselines seed by seed; and a spread table: each run's AUBC, the std between runs,
 * and an interval of the mean with runs and seeds as crossed random effects (stats.ts crossedTInterval),
 * which counts the training run's luck as well as the seed's.
 */
import { createHash } from 'node:crypto';
import type { RunRecord } from '../sweep/run-record.ts';
import { runIndex } from './run-index.ts';
import { crossedTInterval, mean, std } from './stats.ts';

/** One training run of a learned agent as the leaderboard sees it. */
export interface TrainingRun {
  /** The run directory's name. */
  readonly label: string;
  /** Settings that make runs replicates of one configuration (protocol, DQN settings, episodes, validation). */
  readonly configuration: string;
  readonly seed: number;
  /** Agent ids of its checkpoints that may have runs: `best` (best of the validation curve), `last`. */
  readonly checkpoints: { readonly rule: 'best' | 'last'; readonly agentId: string }[];
}

export interface ReplicatedAgent {
  /** The row's label and id. */
  readonly agent: string;
  readonly agentId: string;
  readonly rule: 'best' | 'last';
  readonly configuration: string;
  /** Member runs: their labels and checkpoint agent ids, in training-seed order. */
  readonly members: { readonly label: string; readonly seed: number; readonly agentId: string }[];
}

/**
 * A checkpoint rule of a configuration trained several times that only some of its runs have records
 * for (their benches still running): withheld from the board until every run has them, since the runs
 * benched first would be a chosen sample, and the page says how far the benches have come.
 */
export interface PendingReplicate {
  readonly rule: 'best' | 'last';
  readonly configuration: string;
  /** Runs of the configuration. */
  readonly runs: number;
  /** The runs whose checkpoint has records: their labels, agent ids and record counts, in training-seed order. */
  readonly benched: { readonly label: string; readonly seed: number; readonly agentId: string; readonly records: number }[];
}

/** Per configuration of ≥ 2 training runs with distinct seeds and per checkpoint rule: the runs whose checkpoint of that rule has records. */
function checkpointsWithRecords(runs: readonly TrainingRun[], records: readonly RunRecord[]): { configuration: string; rule: 'best' | 'last'; runs: number; members: ReplicatedAgent['members'] }[] {
  const withRecords = new Set(records.map((r) => r.agentId));
  const byConfig = new Map<string, TrainingRun[]>();
  for (const r of runs) (byConfig.get(r.configuration) ?? byConfig.set(r.configuration, []).get(r.configuration)!).push(r);
  return [...byConfig].flatMap(([configuration, group]) => {
    if (group.length < 2 || new Set(group.map((r) => r.seed)).size < group.length) return [];
    return (['best', 'last'] as const).map((rule) => ({
      configuration,
      rule,
      runs: group.length,
      members: group
        .flatMap((r) => r.checkpoints.filter((c) => c.rule === rule && withRecords.has(c.agentId)).map((c) => ({ label: r.label, seed: r.seed, agentId: c.agentId })))
        .sort((a, b) => a.seed - b.seed),
    }));
  });
}

/**
 * The board's replicated agents and pending benches, from one grouping of the training runs:
 * - `replicated`: per configuration of ≥ 2 training runs with distinct seeds, one agent per checkpoint
 *   rule that every run of the group has records for (every run or no row: a subset of the runs would
 *   be a chosen sample);
 * - `pending`: the rules that some but not all runs have records for (PendingReplicate). A rule whose
 *   only records are checkpoints another rule's row holds (a run whose best episode is its last) is
 *   nobody's pending bench.
 */
export function replicateGroups(runs: readonly TrainingRun[], records: readonly RunRecord[]): { replicated: ReplicatedAgent[]; pending: PendingReplicate[] } {
  const groups = checkpointsWithRecords(runs, records);
  const complete = groups.filter((g) => g.members.length === g.runs);
  const replicated = complete.map(({ configuration, rule, members }) => {
    const id = createHash('sha256').update(members.map((m) => m.agentId).join(',')).digest('hex').slice(0, 12);
    return { agent: `dqn (${members.length} training runs, ${rule === 'best' ? 'best validated' : 'last'} checkpoints)`, agentId: `replicated@${id}`, rule, configuration, members };
  });
  const onARow = new Set(complete.flatMap((g) => g.members.map((m) => m.agentId)));
  const index = runIndex(records);
  const pending = groups
    .filter((g) => g.members.length > 0 && g.members.length < g.runs && g.members.some((m) => !onARow.has(m.agentId)))
    .map(({ configuration, rule, runs: n, members }) => ({ rule, configuration, runs: n, benched: members.map((m) => ({ ...m, records: index.runs(m.agentId).length })) }));
  return { replicated, pending };
}

/** The replicated agent's records: at every (seed, budget) every member ran, the members' mean test mIoU (and per-class IoU). */
export function replicatedRecords(g: ReplicatedAgent, records: readonly RunRecord[]): RunRecord[] {
  const cell = new Map<string, RunRecord[]>();
  for (const r of records) {
    if (!g.members.some((m) => m.agentId === r.agentId)) continue;
    const k = `${r.seed}|${r.budgetRegions}`;
    (cell.get(k) ?? cell.set(k, []).get(k)!).push(r);
  }
  const out: RunRecord[] = [];
  for (const rs of cell.values()) {
    if (rs.length !== g.members.length) continue;
    const first = rs[0]!;
    const avg = (f: (r: RunRecord) => number) => mean(rs.map(f));
    out.push({
      ...first,
      agent: g.agent,
      agentId: g.agentId,
      trajectory: `${g.agentId}/${first.seed}`,
      testMIoU: avg((r) => r.testMIoU),
      testPixelAccuracy: avg((r) => r.testPixelAccuracy),
      testPerClassIoU: first.testPerClassIoU.map((_, c) => avg((r) => r.testPerClassIoU[c]!)),
    });
  }
  return out.sort((a, b) => a.seed - b.seed || a.budgetRegions - b.budgetRegions);
}

/**
 * The board's records and the folded ones: each replicated agent's rows (replicatedRecords) replace its
 * members' checkpoints, whose own runs leave the board — ten rows of one method would crowd the verdict
 * and widen every Holm family the board's question is tested in — and are returned apart, for the
 * spread table and the checkpoint analyses. The runs of `pending` checkpoints leave the board and are
 * not returned: until every run is benched they are no sample of the method.
 */
export function foldReplicates(records: readonly RunRecord[], groups: readonly ReplicatedAgent[], pending: readonly PendingReplicate[] = []): { board: RunRecord[]; members: RunRecord[] } {
  const folded = new Set(groups.flatMap((g) => g.members.map((m) => m.agentId)));
  const withheld = new Set(pending.flatMap((p) => p.benched.map((m) => m.agentId)).filter((id) => !folded.has(id)));
  return {
    board: [...records.filter((r) => !folded.has(r.agentId) && !withheld.has(r.agentId)), ...groups.flatMap((g) => replicatedRecords(g, records))],
    members: records.filter((r) => folded.has(r.agentId)),
  };
}

/** A replicated agent's AUBC minus a baseline's, paired by evaluation seed. */
export interface ReplicateDifference {
  /** The baseline's label. */
  readonly other: string;
  /** Evaluation seeds every run and the baseline have a full curve on. */
  readonly seeds: number;
  /** Each run's mean difference over those seeds, in member order. */
  readonly perRun: readonly number[];
  readonly mean: number;
  /**
   * 95 % interval of the mean difference with training runs and seeds as crossed random effects
   * (crossedTInterval on the runs × seeds matrix of paired differences): what the method is worth against
   * the baseline, counting the luck of the training run as well as the seed's. The board's own interval
   * holds the runs fixed.
   */
  readonly ci: [number, number];
}

export interface ReplicateSpread {
  readonly agent: string;
  readonly agentId: string;
  readonly runs: number;
  /** Evaluation seeds every run has a full curve on. */
  readonly seeds: number[];
  /** Each run's mean AUBC over those seeds, in member order. */
  readonly perRun: { readonly label: string; readonly seed: number; readonly aubc: number }[];
  readonly mean: number;
  /** Std of the runs' mean AUBCs: how much the training run moves the result. */
  readonly betweenRunStd: number;
  /** 95 % interval of the mean AUBC, runs and seeds as crossed random effects. */
  readonly ci: [number, number];
  /** Against each baseline asked for (random, the best baseline) that shares ≥ 2 such seeds. */
  readonly versus: readonly ReplicateDifference[];
}

/**
 * AUBC of every member on every seed where all members have every budget of `records`; its spread
 * between runs; and its paired difference to each of `baselines` ({label, agentId}) on the seeds they share.
 */
export function replicateSpread(g: ReplicatedAgent, records: readonly RunRecord[], baselines: readonly { label: string; agentId: string }[] = []): ReplicateSpread | null {
  const index = runIndex(records);
  const full = (agentId: string, seed: number) => index.aubcBySeed(agentId).has(seed);
  const aubcOf = (agentId: string, seed: number) => index.aubcBySeed(agentId).get(seed)!;
  const seeds = [...index.aubcBySeed(g.members[0]!.agentId).keys()].filter((s) => g.members.every((m) => full(m.agentId, s)));
  if (seeds.length < 2) return null;
  const matrix = g.members.map((m) => seeds.map((s) => aubcOf(m.agentId, s)));
  const perRun = g.members.map((m, i) => ({ label: m.label, seed: m.seed, aubc: mean(matrix[i]!) }));
  const versus = baselines.flatMap((b): ReplicateDifference[] => {
    const shared = seeds.map((s, j) => [s, j] as const).filter(([s]) => full(b.agentId, s));
    if (shared.length < 2) return [];
    const theirs = shared.map(([s]) => aubcOf(b.agentId, s));
    const diffs = matrix.map((row) => shared.map(([, j], k) => row[j]! - theirs[k]!));
    return [{ other: b.label, seeds: shared.length, perRun: diffs.map(mean), mean: mean(diffs.flat()), ci: crossedTInterval(diffs).ci }];
  });
  return {
    agent: g.agent,
    agentId: g.agentId,
    runs: g.members.length,
    seeds,
    perRun,
    mean: mean(matrix.flat()),
    betweenRunStd: std(perRun.map((r) => r.aubc)),
    ci: crossedTInterval(matrix).ci,
    versus,
  };
}
