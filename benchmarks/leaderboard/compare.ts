/**
 * One table across protocols: the same agents on different learners (or data sets), each against
 * random paired by seed within its own protocol, and how far the rankings agree. It says what the
 * learner does to the ranking: whether selection moves the learner at all, and whether the agents
 * that lead on one learner lead on the other. Pure; the sentences are generated from the numbers.
 */
import { ConfigError } from '../../core/errors.ts';
import type { RunRecord } from '../sweep/run-record.ts';
import { bootstrapSeed, spearman } from './stats.ts';
import { aggregate, type AgentSummary, type Comparison, type Leaderboard } from './aggregate.ts';
import { runIndex } from './run-index.ts';
import { RANDOM_AGENT } from '../../agents/registry.ts';
import { acrossGain, acrossVerdict, performanceProfile, PROFILE_THRESHOLDS, relativeGains, type AcrossGain } from './across-protocols.ts';
import { fewSeedPairs, mdCell, mdText, pct, pts } from './format.ts';
import { leftOutText, type LeftOut } from './whole-seeds.ts';

export interface ProtocolBoard {
  protocol: string;
  model: string;
  seeds: number;
  runs: number;
  lb: Leaderboard;
}

export interface CompareCell {
  aubc: number;
  aubcSeeds: number;
  /** AUBC − random, paired by seed within the protocol (null: random itself, or under 2 pairs). */
  vsRandom: Comparison | null;
  /** 1 = highest AUBC among the protocol's deployable agents with an AUBC. */
  rank: number;
  /** Per seed: (AUBC − random's) / random's, paired by seed (empty for random itself). */
  gains: number[];
}

export interface ProtocolComparison {
  boards: ProtocolBoard[];
  /**
   * One row per agent family (its label without the checkpoint's episode), cells in board order; across
   * the protocols: the verdict on its comparison with random, the IQM of its relative AUBC gain over
   * random (null: under 2 protocols), and its performance profile at PROFILE_THRESHOLDS.
   */
  rows: { agent: string; cells: (CompareCell | null)[]; across: string; gain: AcrossGain | null; profile: number[] }[];
  sentences: string[];
  /** The budgets the comparison was restricted to (null: each protocol's own). */
  budgets: number[] | null;
}

/** An agent's label without the checkpoint's episode ("dqn (policy, episode 90)" → "dqn (policy)"), so the
 * DQN trained into `policy/` on one protocol meets the one trained into `policy/` on another; kept whole
 * where that would merge two agents of one board (two checkpoints of one training run). */
function families(agents: readonly AgentSummary[]): Map<string, string> {
  const base = (a: AgentSummary) => a.agent.replace(/, episode \d+\)$/, ')');
  const counts = new Map<string, number>();
  for (const a of agents) counts.set(base(a), (counts.get(base(a)) ?? 0) + 1);
  return new Map(agents.map((a) => [a.agentId, counts.get(base(a)) === 1 ? base(a) : a.agent]));
}

const modelName = (lb: Leaderboard) => `${lb.model.name}${typeof lb.model['head'] === 'string' ? ` (${lb.model['head']} head)` : ''}`;

/**
 * `groups`: the run records of each protocol (one protocol per group; see checkComparable).
 * `budgets`: compare at these budgets only (every protocol must have runs at each), e.g. the budgets
 * an expensive protocol was run at; AUBC is then the mean over them (at one budget, its mIoU).
 */
export function compareProtocols(groups: readonly (readonly RunRecord[])[], reps = 2000, budgets?: readonly number[]): ProtocolComparison {
  if (groups.length < 2) throw new ConfigError(`a comparison needs run records of at least 2 protocols; got ${groups.length}`);
  if (budgets && budgets.length === 0) throw new ConfigError('--budgets: expected at least one budget');
  const kept = groups.map((g) => {
    if (!budgets) return g;
    const has = new Set(g.map((r) => r.budgetRegions));
    const missing = budgets.filter((b) => !has.has(b));
    if (missing.length) throw new ConfigError(`protocol '${g[0]?.protocol}' has no runs at budget ${missing.join(', ')}; it has ${[...has].sort((x, y) => x - y).join(', ')}`);
    return g.filter((r) => budgets.includes(r.budgetRegions));
  });
  const boards = kept.map((g) => {
    const lb = aggregate(g, null, reps);
    return { protocol: lb.protocol, model: modelName(lb), seeds: lb.seeds.length, runs: lb.runs, lb };
  });
  const names = boards.map((b) => b.protocol);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new ConfigError(`protocol '${dup}' is given twice (${boards.filter((b) => b.protocol === dup).map((b) => `hash ${b.lb.protocolHash}`).join(', ')}): a comparison takes one run set per protocol`);

  const order: string[] = [];
  const cellsBy = new Map<string, (CompareCell | null)[]>();
  boards.forEach(({ lb }, j) => {
    const family = families(lb.agents);
    const index = runIndex(kept[j]!);
    const randomAubc = index.aubcBySeed(RANDOM_AGENT);
    // lb.agents is sorted by AUBC: the position among the deployable agents with an AUBC is the rank
    const ranked = lb.agents.filter((a) => !a.privileged && a.aubcSeeds > 0);
    for (const [k, a] of ranked.entries()) {
      const f = family.get(a.agentId)!;
      if (!cellsBy.has(f)) {
        order.push(f);
        cellsBy.set(f, boards.map(() => null));
      }
      const gains = a.agentId === RANDOM_AGENT ? [] : relativeGains(index.aubcBySeed(a.agentId), randomAubc);
      cellsBy.get(f)![j] = { aubc: a.aubcMean, aubcSeeds: a.aubcSeeds, vsRandom: a.vsRandom[lb.budgets.length] ?? null, rank: k + 1, gains };
    }
  });
  const rows = order.map((agent) => {
    const cells = cellsBy.get(agent)!;
    const gains = cells.map((c) => c?.gains ?? []);
    return { agent, cells, across: acrossVerdict(cells.map((c) => c?.vsRandom ?? null), names), gain: acrossGain(gains, reps, bootstrapSeed(`across ${agent}`)), profile: performanceProfile(gains, PROFILE_THRESHOLDS) };
  });

  const sentences: string[] = [];
  boards.forEach((b, j) => {
    const cs = rows.flatMap((r) => (r.cells[j]?.vsRandom ? [{ agent: r.agent, c: r.cells[j]!.vsRandom! }] : []));
    if (cs.length === 0) {
      sentences.push(`${b.protocol} (${b.model}): no agent pairs with random on 2 or more seeds.`);
      return;
    }
    const better = cs.filter(({ c }) => c.resolved && c.meanDiff > 0).map(({ agent }) => agent);
    const worse = cs.filter(({ c }) => c.resolved && c.meanDiff < 0).map(({ agent }) => agent);
    const top = cs.reduce((x, y) => (y.c.meanDiff > x.c.meanDiff ? y : x));
    const few = fewSeedPairs(cs.map(({ c }) => c));
    // the AUBCs rest on the seeds with a run at every budget: say so when some seeds lack one
    const curveSeeds = Math.max(...rows.flatMap((r) => (r.cells[j] ? [r.cells[j]!.aubcSeeds] : [])));
    const seedsSaid = curveSeeds < b.seeds ? `${b.seeds} seeds, ${curveSeeds} at every budget` : `${b.seeds} seeds`;
    sentences.push(`${b.protocol} (${b.model}, ${seedsSaid}): AUBC − random spans ${pts(Math.min(...cs.map(({ c }) => c.meanDiff)))} to ${pts(top.c.meanDiff)} points over ${cs.length} agents; the largest, ${top.agent} ${pts(top.c.meanDiff)} [${pts(top.c.ci[0])}, ${pts(top.c.ci[1])}], is ${top.c.resolved ? 'resolved' : 'not resolved'}; resolved better than random: ${better.join(', ') || 'none'}; resolved worse: ${worse.join(', ') || 'none'}${few !== null ? ` (some comparisons have only ${few} seed pairs)` : ''}.`);
  });
  for (let i = 0; i < boards.length; i++)
    for (let j = i + 1; j < boards.length; j++) {
      const shared = rows.filter((r) => r.cells[i] && r.cells[j]);
      const rho = spearman(shared.map((r) => r.cells[i]!.aubc), shared.map((r) => r.cells[j]!.aubc));
      // ranks among the shared agents only: a board with more agents would otherwise move everyone down
      const rankIn = (k: number) => {
        const order = [...shared].sort((x, y) => x.cells[k]!.rank - y.cells[k]!.rank);
        return (r: (typeof shared)[number]) => order.indexOf(r) + 1;
      };
      const [ri, rj] = [rankIn(i), rankIn(j)];
      const moves = shared.map((r) => ({ agent: r.agent, from: ri(r), to: rj(r) })).sort((x, y) => Math.abs(y.to - y.from) - Math.abs(x.to - x.from) || x.agent.localeCompare(y.agent));
      const biggest = moves[0];
      sentences.push(
        `${boards[i]!.protocol} against ${boards[j]!.protocol}: ${shared.length} agents ran on both; their AUBC rankings ${Number.isNaN(rho) ? 'cannot be correlated (under 3 agents or no spread)' : `rank-correlate at ρ = ${rho.toFixed(2)} (Spearman)`}` +
          (biggest && biggest.from !== biggest.to ? `; the largest move among them is ${biggest.agent}, rank ${biggest.from} → ${biggest.to} of ${shared.length}.` : '.'),
      );
    }
  // across every protocol: which comparisons with random keep their direction, which flip
  const multi = rows.filter((r) => r.agent !== RANDOM_AGENT && r.cells.filter((c) => c?.vsRandom).length >= 2);
  if (multi.length > 0) {
    const flips = multi.filter((r) => r.across.startsWith('flips'));
    const holdUp = multi.filter((r) => r.across.startsWith('ahead on all') && !r.across.includes('resolved on none'));
    const holdDown = multi.filter((r) => r.across.startsWith('behind on all') && !r.across.includes('resolved on none'));
    const list = (rs: typeof multi) => rs.map((r) => r.agent).join(', ') || 'none';
    sentences.push(`Across the ${boards.length} protocols (${multi.length} agents on 2 or more): ahead of random on every protocol they ran, resolved on at least one: ${list(holdUp)}; behind on every one, resolved on at least one: ${list(holdDown)}; resolved better on one protocol and resolved worse on another: ${list(flips)}.`);
    const best = multi.filter((r) => r.gain).sort((x, y) => y.gain!.iqm - x.gain!.iqm)[0];
    if (best) sentences.push(`The largest relative AUBC gain over random, IQM over every protocol and seed: ${best.agent} ${signedPct(best.gain!.iqm)} % [${signedPct(best.gain!.ci[0])}, ${signedPct(best.gain!.ci[1])}] (${best.gain!.protocols} protocols, ${best.gain!.pairs} seed pairs)${best.gain!.ci[0] > 0 ? '' : ': the interval spans 0, so the protocols do not agree on a lead'}.`);
  }
  return { boards, rows, sentences, budgets: budgets ? [...budgets] : null };
}

const signedPct = (v: number) => `${v >= 0 ? '+' : '−'}${Math.abs(100 * v).toFixed(1)}`;

const cellText = (c: CompareCell | null) => {
  if (!c) return '–';
  const v = c.vsRandom;
  const diff = v ? ` · ${pts(v.meanDiff)} [${pts(v.ci[0])}, ${pts(v.ci[1])}]${v.resolved ? (v.meanDiff > 0 ? ' ▲' : ' ▼') : ''}` : '';
  return `${c.rank}. ${pct(c.aubc)}${diff} (${c.aubcSeeds})`;
};

const gainText = (g: AcrossGain | null) => (g ? `${signedPct(g.iqm)} [${signedPct(g.ci[0])}, ${signedPct(g.ci[1])}] (${g.protocols} × ${g.pairs})` : '–');

/**
 * The comparison as markdown; `profileFigure`: the file name of the performance-profile SVG beside it, when
 * written; `leftOut`: per protocol, the runs a whole-seeds reading left out (whole-seeds.ts), named beside its run count.
 */
export function comparisonMarkdown(cmp: ProtocolComparison, profileFigure?: string, leftOut: ReadonlyMap<string, LeftOut> = new Map()): string {
  const runsOf = (b: ProtocolBoard) => {
    const out = leftOut.get(b.protocol);
    return `${b.runs} runs of ${b.protocol}${out && out.runs > 0 ? ` (whole seeds only: ${leftOutText(out)} left out)` : ''}`;
  };
  const head = ['agent', ...cmp.boards.map((b) => `${b.protocol} — ${b.model}`), 'across protocols (vs random)', 'relative AUBC gain over random, IQM % [95 % CI] (protocols × seed pairs)'];
  const lines = [
    '# The learner and the ranking',
    '',
    ...(cmp.budgets ? [`Restricted to the runs at ${cmp.budgets.length === 1 ? `budget ${cmp.budgets[0]} regions: “AUBC” below is the test mIoU there` : `budgets ${cmp.budgets.join(', ')} regions: “AUBC” below is the mean test mIoU over them`} (the same regions count is the same labelled fraction of the pool on every protocol with the same region grid).`, ''] : []),
    `Each cell: rank by AUBC among the protocol's deployable agents, AUBC (%), AUBC − random in points paired by seed with its 95 % t interval (▲/▼: resolved better/worse, by the exact sign-flip test Holm-adjusted over the protocol's agents, as on its leaderboard), and the seeds (runs at every budget). Made by \`regiongym compare\` from ${cmp.boards.map(runsOf).join(', ')}.`,
    '',
    `| ${head.map(mdCell).join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...cmp.rows.map((r) => `| ${mdCell(r.agent)} | ${r.cells.map((c) => mdCell(cellText(c))).join(' | ')} | ${mdCell(r.agent === RANDOM_AGENT ? '–' : r.across)} | ${mdCell(gainText(r.gain))} |`),
    '',
    ...cmp.sentences.map((s) => `- ${mdText(s)}`),
    '',
    'Across protocols (after rliable, Agarwal et al. 2021): each seed\'s AUBC as a relative gain over random\'s on the same seed and protocol, so protocols at different mIoU levels share one scale; the IQM over every (protocol, seed) pair, with a 95 % bootstrap interval that resamples seeds within each protocol. A verdict "flips" needs a resolved difference in each direction; "ahead on all" only says the sign held.',
    '',
    ...(profileFigure ? [`![performance profile](${profileFigure})`, ''] : []),
  ];
  return lines.join('\n');
}
