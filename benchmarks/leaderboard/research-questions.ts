/**
 * The RALIS paper's research questions answered from the run records: every answer is a sentence
 * generated from the numbers (paired by seed, with 95 % t intervals and exact sign-flip p-values, Holm-
 * corrected within each table), never hand-written.
 * RQ1 does the DQN learn to pick informative regions; RQ2 regions vs whole images at equal labelled
 * pixels; RQ3 rare classes; RQ4 all budgets (curve, AUBC); RQ5 cost.
 */
import '../../agents/catalog.ts'; // the registered agents' metadata (which whole-image agent mirrors which)
import { RANDOM_AGENT, entryOfId } from '../../agents/registry.ts';
import type { RunRecord } from '../sweep/run-record.ts';
import { mean, spearman, std } from './stats.ts';
import { judgeTable, lastBudget, type AgentSummary, type Judged, type LabelSaving, type Leaderboard } from './aggregate.ts';
import { runIndex, type PairedDifference, type RunIndex } from './run-index.ts';
import { counted } from '../../core/text.ts';
import { fewSeedPairs, fixed, pct, pts, pValue, runMinutes, savingBound } from './format.ts';

/** A caution when the fewest seed pairs behind these comparisons are too few (format.ts fewSeedPairs). */
const fewPairs = (cs: readonly ({ pairs: number } | null | undefined)[]): string => {
  const few = fewSeedPairs(cs);
  return few === null ? '' : ` (some from as few as ${few} seed pairs, where the exact test cannot resolve any difference)`;
};

/** One train-policy run, as its training record tells it (write.ts policyRun). */
export interface PolicyRun {
  /** The run directory's name. */
  label: string;
  /** What the paper's text and code disagree on, as this run set it. */
  settings: string;
  episodes: number;
  trainMs: number;
  /** Episodes each validation point averages. */
  validationEpisodes: number;
  validation: { episode: number; rewardMIoU: number }[];
  best: { episode: number; rewardMIoU: number } | null;
  resumes: { afterEpisodes: number; exact: boolean }[];
  /** Baselines on the same validation episodes. */
  references: { agent: string; rewardMIoU: number }[];
  /** Mean TD loss per episode, where the record has it. */
  losses: { episode: number; meanLoss: number }[];
  /** The agent id of its best/ checkpoint (policy-id.ts), when the directory holds one. */
  bestAgentId: string | null;
  /** The agent id of its last checkpoint (policy/), when the directory holds one. */
  lastAgentId?: string | null;
  /** The training run's seed. */
  seed?: number;
  /** What makes two runs replicates: protocol, DQN settings, episodes, validation (not the seed). */
  configuration?: string;
}

export interface Table {
  header: string[];
  rows: string[][];
}

export interface Answer {
  id: string;
  question: string;
  /** The answer in a sentence or a few: what the page shows unfolded (the rest, with the tables, folded). */
  lead: string[];
  sentences: string[];
  /** Tables backing the sentences. */
  tables?: Table[];
  /** The AUBC differences resolved in this answer's own tables (Holm within each), one phrase each: the page's verdict repeats them. */
  resolved?: string[];
}


/** One of aggregate's paired comparisons, judged within its table, with the budget (or AUBC) it is at. */
type Pair = PairedDifference & Judged & { budget: number | 'AUBC' };

/** A row of a paired table: x − y at every budget it has (and AUBC, last). */
interface PairRow {
  x: string;
  y: string;
  ps: Pair[];
}

/**
 * Rows of x − y, each paired by seed at every budget and in AUBC (the run index's comparisons, the ones
 * the tables print), judged together as one table: its AUBC column is one Holm family, its per-budget
 * cells another (aggregate.ts judgeTable).
 */
function pairRows(seedsOf: RunIndex, specs: readonly { x: string; y: string; xId: string; yId: string }[]): PairRow[] {
  const at = [...seedsOf.budgets, 'AUBC' as const];
  const judged = judgeTable(specs.map((r) => seedsOf.paired(r.xId, r.yId)));
  return specs.map((r, i) => ({ x: r.x, y: r.y, ps: judged[i]!.flatMap((p, j) => (p ? [{ ...p, budget: at[j]! }] : [])) }));
}

function sentence(x: string, y: string, p: Pair): string {
  const where = p.budget === 'AUBC' ? 'in AUBC' : `at ${p.budget} regions`;
  const verdict = p.resolved ? (p.meanDiff > 0 ? 'resolved: better' : 'resolved: worse') : 'not resolved';
  return `${x} − ${y} ${where}: ${pts(p.meanDiff)} [${pts(p.ci[0])}, ${pts(p.ci[1])}] points over ${p.pairs} seeds (95 % t interval), exact sign-flip p = ${pValue(p.p)}, Holm-adjusted ${pValue(p.pAdjusted)} over ${p.familySize} comparisons, P(improvement) ${p.probImprovement.toFixed(2)}, ${verdict}.`;
}

/** The paper's headline for one learned agent: % fewer labels than the best baseline to reach its mIoU, per budget. */
function savingSentence(agent: string, baseline: string, savings: readonly LabelSaving[]): string {
  const at = savings.map((s) => `at ${s.budget}: ${s.percentFewer === null ? 'target not reached' : `${s.atLeast ? '≥ ' : ''}${savingBound(s.percentFewer)} %`} [${savingBound(s.ci[0])}, ${savingBound(s.ci[1])}]`);
  const verdict = savings.filter((s) => s.ci[0] > 0).map((s) => s.budget);
  const worse = savings.filter((s) => s.ci[1] < 0).map((s) => s.budget);
  return `The paper's headline metric: % fewer labels ${agent} needs than ${baseline} to reach ${baseline}'s mean mIoU at each budget (read off the mean curves by linear interpolation; negative = more labels; 95 % paired bootstrap over ${savings[0]?.pairs ?? 0} seeds): ${at.join('; ')}. Fewer labels with an interval above 0 at ${verdict.length ? verdict.join(', ') : 'no budget'}; more labels with an interval below 0 at ${worse.length ? worse.join(', ') : 'no budget'}.`;
}

function tally(x: string, y: string, ps: Pair[]): string {
  const budgets = ps.filter((p) => p.budget !== 'AUBC');
  const better = budgets.filter((p) => p.resolved && p.meanDiff > 0).length;
  const worse = budgets.filter((p) => p.resolved && p.meanDiff < 0).length;
  return `${x} vs ${y}: resolved better at ${better} of ${budgets.length} budgets, resolved worse at ${worse}, not resolved at ${budgets.length - better - worse}.`;
}

function pairTable(rows: readonly PairRow[], budgets: readonly number[]): Table {
  const cols = [...budgets.map(String), 'AUBC'];
  return {
    header: ['comparison (points; ✓ resolved after Holm within this table)', ...cols, 'AUBC: sign-flip p (Holm-adjusted)'],
    rows: rows.map(({ x, y, ps }) => {
      const last = ps.find((q) => q.budget === 'AUBC');
      return [
        `${x} − ${y}`,
        ...cols.map((c) => {
          const p = ps.find((q) => String(q.budget) === c);
          return p ? `${pts(p.meanDiff)} [${pts(p.ci[0])}, ${pts(p.ci[1])}]${p.resolved ? ' ✓' : ''}` : '–';
        }),
        last ? `${pValue(last.p)} (${pValue(last.pAdjusted)})` : '–',
      ];
    }),
  };
}

/** The DQN's training runs: where each one's greedy validation curve peaked and where it ended. */
function trainingSentences(runs: readonly PolicyRun[]): string[] {
  return runs.map((r) => {
    const last = r.validation[r.validation.length - 1];
    const peak = r.best ? `best greedy validation reward-set mIoU ${pct(r.best.rewardMIoU)} % after episode ${r.best.episode}` : 'never validated';
    const end = last && r.best && last.episode !== r.best.episode ? `, ${pct(last.rewardMIoU)} % after the last validated episode (${last.episode}): ${pts(last.rewardMIoU - r.best.rewardMIoU)} points from its best` : '';
    const inexact = r.resumes.filter((x) => !x.exact).map((x) => x.afterEpisodes);
    // the best of many noisy validation points is biased upwards: the mean of all of them is the fairer level
    const all = r.validation.map((x) => x.rewardMIoU);
    const refs = r.references.length && r.best
      ? ` On the same validation episode${r.validationEpisodes > 1 ? 's' : ''} ${r.references.map((x) => `${x.agent} reaches ${pct(x.rewardMIoU)} % (best − ${x.agent} ${pts(r.best!.rewardMIoU - x.rewardMIoU)} points; ${all.filter((v) => v > x.rewardMIoU).length} of ${all.length} checkpoints above it)`).join(', ')}; the mean of all ${all.length} validation points is ${pct(mean(all))} % (${r.validationEpisodes > 1 ? `each the mean of ${r.validationEpisodes} episodes` : 'one episode each'}, so leads, not findings).`
      : '';
    const tenth = Math.max(1, Math.floor(r.losses.length / 10));
    const meanOf = (xs: readonly { meanLoss: number }[]) => mean(xs.map((x) => x.meanLoss));
    const loss = r.losses.length >= 2 * tenth + 1 ? ` Mean TD loss ${meanOf(r.losses.slice(0, tenth)).toPrecision(3)} over its first ${counted(tenth, 'episode')} with updates, ${meanOf(r.losses.slice(-tenth)).toPrecision(3)} over its last ${tenth}.` : '';
    return `Training run ${r.label} (${r.settings}; ${r.episodes} episodes, ${(r.trainMs / 3_600_000).toFixed(2)} h): ${peak}${end}.${refs}${loss}${inexact.length ? ` Resumed after episode${inexact.length > 1 ? 's' : ''} ${inexact.join(', ')} with an empty replay buffer.` : ''}`;
  });
}

function trainingTable(runs: readonly PolicyRun[]): Table {
  const episodes = [...new Set(runs.flatMap((r) => r.validation.map((v) => v.episode)))].sort((a, b) => a - b);
  const refs = [...new Set(runs.flatMap((r) => r.references.map((x) => x.agent)))];
  return {
    header: ['training run (validation mIoU %)', 'settings', ...refs, ...episodes.map((e) => `ep ${e}`)],
    rows: runs.map((r) => [r.label, r.settings, ...refs.map((a) => pct(r.references.find((x) => x.agent === a)?.rewardMIoU)), ...episodes.map((e) => {
      const v = r.validation.find((x) => x.episode === e);
      return v ? `${pct(v.rewardMIoU)}${r.best?.episode === e ? ' ★' : ''}` : '–';
    })]),
  };
}

/**
 * Does the validation score that picked each checkpoint predict how it does on the board? Each
 * evaluated checkpoint's validation mIoU beside its mean AUBC on the seeds all of them share, and
 * their rank correlation: the paper picks its policy by this score, so a weak link here is a weak DQN.
 */
function validationAgainstResults(runs: readonly PolicyRun[], dqns: readonly AgentSummary[], seedsOf: RunIndex): { sentence: string; table: Table } | null {
  // a checkpoint folded into a replicated row is not on the board: its name comes from its runs
  const nameOf = (id: string) => seedsOf.runs(id)[0]?.agent ?? id;
  if (runs.length < 2) return null;
  const aubcs = runs.map((r) => seedsOf.aubcBySeed(r.bestAgentId!));
  const common = [...aubcs[0]!.keys()].filter((s) => aubcs.every((m) => m.has(s))).sort((a, b) => a - b);
  if (common.length === 0) return null;
  const rows = runs.map((r, i) => ({ label: nameOf(r.bestAgentId!), onBoard: dqns.some((d) => d.agentId === r.bestAgentId), validation: r.best!.rewardMIoU, aubc: mean(common.map((s) => aubcs[i]!.get(s)!)) }))
    .sort((a, b) => b.validation - a.validation);
  const rho = spearman(rows.map((r) => r.validation), rows.map((r) => r.aubc));
  const byValidation = rows[0]!;
  const byResult = rows.reduce((b, r) => (r.aubc > b.aubc ? r : b), rows[0]!);
  const seeds = `the ${counted(common.length, 'seed')} they share (${common.join(', ')})`;
  const sentence = `Validation against results: of the ${rows.length} evaluated checkpoints, the best validated (${byValidation.label}, ${pct(byValidation.validation)} %) has AUBC ${pct(byValidation.aubc)} % on ${seeds}; `
    + (byResult === byValidation ? 'it is also the highest of them there' : `the highest there is ${byResult.label} (${pct(byResult.aubc)} %, validated ${pct(byResult.validation)} %${byResult.onBoard && byValidation.onBoard ? '; whether the gap is resolved: “Policy against policy” above' : ''})`)
    + (Number.isNaN(rho) ? '.' : `; validation and AUBC rank-correlate at ρ = ${rho.toFixed(2)} (Spearman, ${rows.length} checkpoints: a lead, not a finding).`);
  return { sentence, table: { header: ['checkpoint', 'validation mIoU (%) that picked it', `AUBC (%) on seeds ${common.join(', ')}`], rows: rows.map((r) => [r.label, pct(r.validation), pct(r.aubc)]) } };
}

export function researchQuestions(lb: Leaderboard, records: readonly RunRecord[], policies: readonly PolicyRun[]): Answer[] {
  // a configuration trained several times: its runs' spread (write.ts puts it on the board)
  const replicates = lb.replicates ?? [];
  const names = (lb.dataset.classNames.length === records[0]!.testPerClassIoU.length ? lb.dataset.classNames : records[0]!.testPerClassIoU.map((_, c) => `class ${c}`)) as string[];
  const by = (pred: (a: AgentSummary) => boolean) => lb.agents.filter(pred);
  const seedsOf = runIndex(records);
  // learned agents: what their records say they are (neither a baseline nor privileged)
  const dqns = by((a) => !a.baseline && !a.privileged);
  // a training run whose best checkpoint has runs (on the board, or in a replicated row)
  const evaluated = (p: PolicyRun) => p.best !== null && p.bestAgentId !== null && seedsOf.runs(p.bestAgentId).length > 0;
  const baselines = by((a) => a.baseline && !a.privileged);
  const out: Answer[] = [];

  // RQ1
  {
    // one table (and so one pair of Holm families) per learned agent: its rows against every baseline
    // answer one question, "does this agent beat the heuristics?"; then one table of policy − policy rows:
    // two policies on one board differ by how they were trained, so each pair of them, paired by seed,
    // says whether the training choice (replay, lr decay, first reward, checkpoint) shows in the results
    const perAgent = dqns.map((d) => pairRows(seedsOf, baselines.map((b) => ({ x: d.agent, y: b.agent, xId: d.agentId, yId: b.agentId }))));
    // a baseline sharing fewer than 2 seeds with the DQN at every budget has nothing to compare
    const rows = perAgent.flat().filter((r) => r.ps.length > 0);
    const unpaired = perAgent.flat().filter((r) => r.ps.length === 0).map((r) => r.y);
    const policyPairs = pairRows(seedsOf, dqns.flatMap((d, i) => dqns.slice(i + 1).map((e) => ({ x: d.agent, y: e.agent, xId: d.agentId, yId: e.agentId })))).filter((r) => r.ps.length > 0);
    const sentences = dqns.length === 0
      ? ['These records hold no DQN runs: RQ1 cannot be answered from them.']
      : [
          ...rows.flatMap(({ x, y, ps }) => [tally(x, y, ps), ...ps.filter((p) => p.budget === 'AUBC').map((p) => sentence(x, y, p))]),
          ...(unpaired.length ? [`Not compared (fewer than 2 seeds in common with the DQN at every budget): ${[...new Set(unpaired)].join(', ')}.`] : []),
          ...policyPairs.flatMap(({ x, y, ps }) => ps.filter((p) => p.budget === 'AUBC').map((p) => `Policy against policy: ${sentence(x, y, p)}`)),
        ];
    // what these smaller families resolve, for the verdict: the board's tables hold every agent, so they can miss it
    const resolvedIn = (table: PairRow[], family: (n: number) => string) => table.flatMap(({ x, y, ps }) => ps.filter((p) => p.budget === 'AUBC' && p.resolved).map((p) => `${x} − ${y} ${pts(p.meanDiff)} [${pts(p.ci[0])}, ${pts(p.ci[1])}] points (p = ${pValue(p.p)}, Holm ${pValue(p.pAdjusted)} over ${family(p.familySize)})`));
    const resolved = [...perAgent.flatMap((t) => resolvedIn(t, (n) => `its ${counted(n, 'comparison')} with the baselines`)), ...resolvedIn(policyPairs, (n) => counted(n, 'policy pair'))];
    for (const d of dqns) if (d.labelSavings?.length && lb.bestBaseline) sentences.push(savingSentence(d.agent, lb.bestBaseline, d.labelSavings));
    sentences.push(...trainingSentences(policies));
    for (const p of policies.filter(evaluated)) sentences.push(`${p.bestAgentId} is ${p.label}'s best validated checkpoint (episode ${p.best!.episode}), the highest point of its validation curve (${p.validationEpisodes > 1 ? `each point the mean of ${p.validationEpisodes} episodes` : 'one episode per point'}); the paper's code tests the last policy instead, and the best of many noisy points is biased upwards.`);
    const picked = validationAgainstResults(policies.filter(evaluated), dqns, seedsOf);
    if (picked) sentences.push(picked.sentence);
    // a configuration trained several times: how much the training run moves the answer
    for (const r of replicates) {
      const versus = r.versus.map((v) => `− ${v.other} ${pts(v.mean)} [${pts(v.ci[0])}, ${pts(v.ci[1])}] points (runs span ${pts(Math.min(...v.perRun))} to ${pts(Math.max(...v.perRun))})`);
      sentences.push(`${r.agent}: mean AUBC ${pct(r.mean)} % [${pct(r.ci[0])}, ${pct(r.ci[1])}] (t interval with its ${r.runs} training runs and ${r.seeds.length} evaluation seeds as crossed random effects); the runs' own AUBCs span ${pct(Math.min(...r.perRun.map((x) => x.aubc)))}–${pct(Math.max(...r.perRun.map((x) => x.aubc)))} % (std ${pct(r.betweenRunStd)} points between runs)${versus.length ? `; ${versus.join('; ')}, intervals that count the training run's luck as well as the seed's (the board's paired tests hold these ${r.runs} runs fixed)` : ''}.`);
    }
    // one table per replicated agent: each run's AUBC and its paired differences, then the mean with its runs × seeds intervals
    const replicateTable: Table[] = replicates.map((r) => ({
      header: ['training run (seed)', `${r.agent}: AUBC (%) on its ${r.seeds.length} seeds`, ...r.versus.map((v) => `− ${v.other} (points, ${v.seeds} seeds)`)],
      rows: [
        ...r.perRun.map((x, i) => [`${x.label} (${x.seed})`, pct(x.aubc), ...r.versus.map((v) => pts(v.perRun[i]!))]),
        [`mean of ${r.runs} [runs × seeds 95 % CI]; std between runs`, `${pct(r.mean)} [${pct(r.ci[0])}, ${pct(r.ci[1])}]; ${pct(r.betweenRunStd)}`, ...r.versus.map((v) => `${pts(v.mean)} [${pts(v.ci[0])}, ${pts(v.ci[1])}]; ${pct(std(v.perRun))}`)],
      ],
    }));
    const paired = [...perAgent.map((t) => t.filter((r) => r.ps.length > 0)), policyPairs].filter((t) => t.length > 0);
    const tables = [...paired.map((t) => pairTable(t, lb.budgets)), ...replicateTable, ...(policies.some((p) => p.validation.length) ? [trainingTable(policies)] : []), ...(picked ? [picked.table] : [])];
    // the answer: each learned agent against the best baseline and random, in AUBC
    const lead = dqns.length === 0 ? sentences.slice(0, 1) : rows.filter((r) => r.y === lb.bestBaseline || r.y === RANDOM_AGENT).flatMap(({ x, y, ps }) => ps.filter((p) => p.budget === 'AUBC').map((p) => sentence(x, y, p)));
    out.push({ id: 'RQ1', question: 'Does the DQN learn to pick informative regions? (DQN vs each baseline, paired by seed, every budget; the training curves behind it)', lead, sentences, tables, ...(resolved.length ? { resolved } : {}) });
  }
  // RQ2
  {
    const pairs = by((a) => entryOfId(a.agentId)?.mirrors !== undefined).map((img) => ({ img, region: lb.agents.find((a) => a.agentId === entryOfId(img.agentId)!.mirrors) })).filter((p) => p.region);
    const rows = pairRows(seedsOf, pairs.map(({ img, region }) => ({ x: region!.agent, y: img.agent, xId: region!.agentId, yId: img.agentId })));
    const sentences = rows.length === 0
      ? ['These records hold no whole-image agent beside its region version (image-random with random, image-entropy with entropy): RQ2 cannot be answered from them.']
      : rows.flatMap(({ x, y, ps }) => [tally(`${x} (regions)`, `${y} (whole images)`, ps), ...ps.filter((p) => p.budget === 'AUBC').map((p) => sentence(x, y, p))]);
    const lead2 = rows.length === 0 ? sentences.slice(0, 1) : rows.flatMap(({ x, y, ps }) => ps.filter((p) => p.budget === 'AUBC').map((p) => sentence(x, y, p)));
    out.push({ id: 'RQ2', question: 'Regions or whole images, at equal labelled pixels? (each region agent − its whole-image version)', lead: lead2, sentences, tables: rows.length ? [pairTable(rows, lb.budgets)] : undefined });
  }
  // RQ3
  {
    const rare = lb.rareClasses.map((c) => names[c]!);
    const best = [...lb.agents].filter((a) => !a.privileged).sort((x, y) => y.rareClassMIoU - x.rareClassMIoU)[0];
    const random = lb.agents.find((a) => a.agentId === RANDOM_AGENT);
    const share = (a: AgentSummary) => lb.rareClasses.reduce((s, c) => s + (a.labeledShare[c] ?? 0), 0);
    const budget = lastBudget(lb);
    const sentences = [
      // the rare classes come from every run pooled (aggregate.ts), not only the table's budget: say so, or a
      // reader who finds a rarer class in the table below sees a contradiction
      random
        ? `The three rarest classes among all pixels random labelled (its ${random.cells.reduce((n, c) => n + (c?.n ?? 0), 0)} runs pooled over every budget, ≈ the pool's distribution) are ${rare.join(', ')}.`
        : `The three rarest classes among all labelled pixels (every run pooled) are ${rare.join(', ')}.`,
      // when the best prints as 0.0 % no agent segments them, and naming one would rank a tie
      ...(best ? [pct(best.rareClassMIoU) === pct(0)
        ? `No agent segments them at ${budget} regions: every agent's mean IoU on them is ${pct(0)} %.`
        : `Highest mean IoU on them at ${budget} regions: ${best.agent} with ${pct(best.rareClassMIoU)} %${random ? ` (random ${pct(random.rareClassMIoU)} %)` : ''}; its labelled pixels are ${pct(share(best))} % ${rare.join('/')}${random ? ` against random's ${pct(share(random))} %` : ''}.`] : []),
      ...lb.agents.filter((a) => !a.privileged).map((a) => `${a.agent}: rare-class IoU ${pct(a.rareClassMIoU)} %, ${pct(share(a))} % of labelled pixels from the rare classes, labelled class-balance entropy ${fixed(a.balanceEntropy, 3)}.`),
    ];
    out.push({
      id: 'RQ3',
      question: `Rare classes: per-class test IoU (%) and labelled-pixel share (%) at ${budget} regions`,
      lead: sentences.slice(0, 2),
      sentences,
      tables: [{
        header: ['agent', ...names.map((n, c) => (lb.rareClasses.includes(c) ? `${n} (rare)` : n))],
        rows: lb.agents.flatMap((a) => [[`${a.agent} IoU`, ...a.perClassIoU.map((v) => pct(v))], [`${a.agent} labelled`, ...names.map((_, c) => pct(a.labeledShare[c] ?? NaN))]]),
      }],
    });
  }
  // RQ4
  {
    const ranked = lb.agents.filter((a) => !a.privileged);
    const vsRandom = ranked.filter((a) => a.agentId !== RANDOM_AGENT).map((a) => ({ a, c: a.vsRandom[lb.budgets.length] }));
    const sentences = [
      `Ranking by AUBC (test mIoU averaged over ${lb.budgets[0]}–${lastBudget(lb)} regions; mean [95 % CI], seeds): ${ranked.filter((a) => a.aubcSeeds > 0).map((a) => `${a.agent} ${pct(a.aubcMean)} [${pct(a.aubcCi[0])}, ${pct(a.aubcCi[1])}], ${a.aubcSeeds}`).join('; ')}.${ranked.some((a) => a.aubcSeeds === 0) ? ` No AUBC (not run at every budget): ${ranked.filter((a) => a.aubcSeeds === 0).map((a) => a.agent).join(', ')}.` : ''}`,
      ...vsRandom.filter(({ c }) => c).map(({ a, c }) => `${a.agent} − random in AUBC: ${pts(c!.meanDiff)} [${pts(c!.ci[0])}, ${pts(c!.ci[1])}] points, sign-flip p = ${pValue(c!.p)} (Holm ${pValue(c!.pAdjusted)} over the ${c!.familySize} agents), ${c!.resolved ? (c!.meanDiff > 0 ? 'resolved: better' : 'resolved: worse') : 'not resolved'}.`),
      `Agents resolved better than random in AUBC (Holm over the table's AUBC column): ${vsRandom.filter(({ c }) => c?.resolved && c.meanDiff > 0).map(({ a }) => a.agent).join(', ') || 'none'}${fewPairs(vsRandom.map(({ c }) => c))}.`,
    ];
    // an upper bound says how much room selection leaves: against random and the top deployable agent,
    // at whatever budgets it ran (the oracle's probes make it too dear for every budget on CamVid)
    // the same guarded choice as the best baseline's (enough seeds with an AUBC), policies included
    const top = ranked.find((a) => a.agentId === lb.bestDeployableId);
    const random = ranked.find((a) => a.agentId === RANDOM_AGENT);
    for (const u of lb.agents.filter((a) => a.privileged)) {
      if (u.aubcSeeds > 0) sentences.push(`${u.agent} (an upper bound that reads the labels): AUBC ${pct(u.aubcMean)} %${u.aubcSeeds < lb.seeds.length ? ` over ${u.aubcSeeds} seeds` : ''}.`);
      const others = [...new Set([random, top].filter((a): a is AgentSummary => a !== undefined))];
      for (const r of pairRows(seedsOf, others.map((o) => ({ x: `${u.agent} (upper bound)`, y: o.agent, xId: u.agentId, yId: o.agentId }))))
        for (const p of r.ps) sentences.push(`Headroom: ${sentence(r.x, r.y, p)}`);
    }
    out.push({ id: 'RQ4', question: 'All budgets: the curve (figure) and the area under it (AUBC)', lead: sentences.filter((x) => x.startsWith('Agents resolved better than random')), sentences });
  }
  // RQ5
  {
    const random = lb.agents.find((a) => a.agentId === RANDOM_AGENT);
    const sentences = lb.agents.map((a) => `${a.agent}: ${fixed(a.stepMs, 2, 1000)} s per labelling step${random && a !== random ? ` (${(a.stepMs / random.stepMs).toFixed(1)}× random)` : ''}, ${fixed(a.runMs, 1, 60000)} min per run at ${a.costBudget} regions.`);
    for (const p of policies) sentences.push(`The DQN's training (${p.label}): ${p.episodes} episodes in ${(p.trainMs / 3_600_000).toFixed(2)} h, ${fixed(p.trainMs / Math.max(1, p.episodes), 0, 1000)} s per episode with its validation${evaluated(p) ? `; its best validated checkpoint (episode ${p.best!.episode}) is evaluated here` : ''}.`);
    const rnd = lb.agents.find((a) => a.agentId === RANDOM_AGENT);
    const dearest = lb.agents.filter((a) => a !== rnd).reduce<AgentSummary | null>((m, a) => (m === null || a.stepMs > m.stepMs ? a : m), null);
    const lead5 = sentences.filter((x) => (rnd && x.startsWith(`${rnd.agent}:`)) || (dearest && x.startsWith(`${dearest.agent}:`)));
    out.push({ id: 'RQ5', question: 'Cost: wall time per step and per run of every agent, and the DQN\'s training', lead: lead5, sentences, tables: [{ header: ['agent', 's per step', 'min per run'], rows: lb.agents.map((a) => [a.agent, fixed(a.stepMs, 2, 1000), runMinutes(a, lastBudget(lb))]) }] });
  }
  return out;
}
