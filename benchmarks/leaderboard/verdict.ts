/**
 * What a page says first: a title that names what was compared, and a few generated sentences that
 * answer the board's question — the best agent, each learned agent against random and the best
 * baseline (with the paper's headline metric), how many agents beat random — and which agents ran on
 * fewer seeds or budgets than the board. Pure; every number comes from the aggregate.
 */
import { RANDOM_AGENT } from '../../agents/registry.ts';
import { FAMILY_ALPHA, lastBudget, seedsToResolvePoints, type AgentSummary, type Comparison, type Leaderboard } from './aggregate.ts';
import { counted } from '../../core/text.ts';
import { pct, pts, pValue, savingBound } from './format.ts';
import { median, signFlipFloor } from './stats.ts';
import { leftOutText } from './whole-seeds.ts';
import type { Answer } from './research-questions.ts';

export interface Verdict {
  title: string;
  sentences: string[];
}

/**
 * An agent's coverage: the seeds it ran, the budgets it ran at least once, the seeds with every budget;
 * `full` when none is below the best-covered agent's (a board whose last seed lacks a budget for every
 * agent flags nobody: the verdict says that once).
 */
export function coverage(a: AgentSummary, lb: Pick<Leaderboard, 'agents'>): { seeds: number; budgets: number; full: boolean } {
  const of = (x: AgentSummary) => ({ seeds: x.seeds.length, budgets: x.cells.filter((c) => c !== null).length, curves: x.aubcSeeds });
  const mine = of(a);
  const all = lb.agents.map(of);
  const full = mine.seeds === Math.max(...all.map((c) => c.seeds)) && mine.budgets === Math.max(...all.map((c) => c.budgets)) && mine.curves === Math.max(...all.map((c) => c.curves));
  return { seeds: mine.seeds, budgets: mine.budgets, full };
}

/** A difference as the verdict says it: the interval, and the exact p where it is not resolved. */
const judged = (c: Comparison): string => `${pts(c.meanDiff)} [${pts(c.ci[0])}, ${pts(c.ci[1])}] points, ${c.resolved ? (c.meanDiff > 0 ? 'resolved better' : 'resolved worse') : `not resolved (p = ${pValue(c.p)})`}`;

const modelName = (lb: Leaderboard) => `${lb.model.name}${typeof lb.model['head'] === 'string' ? ` (${lb.model['head']} head)` : ''}`;

/** `answers`: the research questions' answers, whose own tables (smaller Holm families) may resolve what the board's tables cannot. */
export function verdict(lb: Leaderboard, answers: readonly Pick<Answer, 'id' | 'resolved'>[] = []): Verdict {
  const deployable = lb.agents.filter((a) => !a.privileged && a.aubcSeeds > 0);
  const A = lb.budgets.length; // index of the AUBC cell
  const title = `${lb.protocol}: ${lb.agents.length} agents on ${lb.dataset.name} with the ${modelName(lb)} learner, ${lb.seeds.length} seeds, ${lb.budgets[0]}–${lastBudget(lb)} labelled regions`;
  const s: string[] = [];
  // the headline agent needs the seeds the best baseline needs (aggregate.ts): half the best-covered
  // agent's, at least 2 — an agent run on a couple of lucky seeds does not lead the verdict
  const enough = Math.max(2, Math.ceil(Math.max(0, ...deployable.map((a) => a.aubcSeeds)) / 2));
  const best = deployable.find((a) => a.aubcSeeds >= enough) ?? deployable[0];
  const random = lb.agents.find((a) => a.agentId === RANDOM_AGENT);
  if (best) {
    const vs = best.vsRandom[A];
    s.push(best.agentId === RANDOM_AGENT
      ? `Random has the highest AUBC (${pct(best.aubcMean)} %): no agent beats random on this board.`
      : `Highest AUBC: ${best.agent} (${pct(best.aubcMean)} % over ${best.aubcSeeds} seeds)${vs ? `; − random ${judged(vs)}` : ''}.`);
  }
  const vsRandom = deployable.filter((a) => a.agentId !== RANDOM_AGENT).map((a) => ({ a, c: a.vsRandom[A] })).filter((x): x is { a: AgentSummary; c: Comparison } => !!x.c);
  if (random && vsRandom.length) {
    const better = vsRandom.filter(({ c }) => c.resolved && c.meanDiff > 0).map(({ a }) => a.agent);
    const worse = vsRandom.filter(({ c }) => c.resolved && c.meanDiff < 0).map(({ a }) => a.agent);
    s.push(`${better.length} of ${vsRandom.length} agents are resolved above random in AUBC${better.length ? ` (${better.join(', ')})` : ''}; ${worse.length} resolved below${worse.length ? ` (${worse.join(', ')})` : ''}.`);
    // with n pairs the exact test's smallest p is 2/2ⁿ: say when no difference on this board could be resolved
    const n = Math.min(...vsRandom.map(({ c }) => c.pairs));
    const floor = signFlipFloor(n);
    if (floor * vsRandom.length >= FAMILY_ALPHA) {
      // how many: the seeds a 1-point difference needs at this board's typical spread of paired differences
      const sd = median(vsRandom.map(({ c }) => c.sdDiff));
      const need = seedsToResolvePoints(sd, vsRandom.length);
      // and a difference the size of the board's largest, when that is below a point
      const largest = vsRandom.reduce((a, b) => (Math.abs(b.c.meanDiff) > Math.abs(a.c.meanDiff) ? b : a));
      const size = Math.abs(largest.c.meanDiff) * 100;
      const needLargest = size >= 0.1 && size < 1 ? seedsToResolvePoints(sd, vsRandom.length, size) : NaN;
      const ofLargest = Number.isFinite(needLargest) ? `, and one the size of ${largest.a.agent}'s (${size.toFixed(1)} points) about ${needLargest}` : '';
      s.push(`With ${n} seed pairs the exact test's smallest p is ${pValue(floor)}${floor < FAMILY_ALPHA ? `, above ${FAMILY_ALPHA}/${vsRandom.length} (Holm's first threshold over the ${vsRandom.length} agents)` : ''}: no agent can be resolved against random or the best baseline in this board's tables, however large its difference; run more seeds for findings${Number.isFinite(need) ? `: at this board's spread of paired AUBC differences to random (sd ${pct(sd)} points, median over the agents), a 1-point difference needs about ${need} seeds to be resolved with 80 % power${ofLargest}` : ''}.`);
    }
  }
  for (const a of deployable.filter((x) => !x.baseline)) {
    const r = a.vsRandom[A];
    const b = a.vsBestBaseline[A];
    const saving = a.labelSavings?.find((x) => x.budget === lastBudget(lb));
      const parts = [r ? `vs random ${judged(r)}` : null, b && lb.bestBaseline && lb.bestBaseline !== RANDOM_AGENT ? `vs ${lb.bestBaseline} ${judged(b)}` : null].filter((x) => x !== null);
    const headline = saving && lb.bestBaseline
      ? `; labels to reach ${lb.bestBaseline}'s mIoU at ${saving.budget}: ${saving.percentFewer === null ? 'not reached within the board\'s budgets' : `${savingBound(saving.percentFewer)} % fewer [${savingBound(saving.ci[0])}, ${savingBound(saving.ci[1])}]`}`
      : '';
    // a replicated agent: the same differences with the training runs' luck counted too
    const rep = lb.replicates?.find((x) => x.agentId === a.agentId);
    const twoLevel = rep?.versus.length ? `; counting the luck of its ${rep.runs} training runs too (runs and seeds as random effects, t interval): ${rep.versus.map((v) => `− ${v.other} [${pts(v.ci[0])}, ${pts(v.ci[1])}]`).join(', ')}` : '';
    // too few seeds for any paired statistic: say so, not an empty line
    if (!parts.length && !headline && !twoLevel) s.push(`${a.agent} (learned): AUBC ${pct(a.aubcMean)} % on ${counted(a.aubcSeeds, 'seed')} with every budget so far; a paired comparison needs 2 or more.`);
    else s.push(`${a.agent} (learned): ${parts.join('; ')}${headline}${twoLevel}.`);
  }
  // a smaller family can resolve what the board's table cannot: say it here, with its family
  for (const a of answers) if (a.resolved?.length) s.push(`Resolved within ${a.id}'s tables (AUBC, Holm within each table): ${a.resolved.join('; ')}.`);
  for (const p of lb.pendingReplicates ?? []) {
    const runs = p.benched.map((m) => `${m.label}: ${counted(m.records, 'run')}`).join(', ');
    s.push(`Not on the board yet: the ${p.rule === 'best' ? 'best validated' : 'last'} checkpoints of a DQN configuration trained ${p.runs} times, benched for ${p.benched.length} of its ${p.runs} runs so far (${runs}); the row appears when every run is, since the runs benched first are no sample of the method.`);
  }
  if (deployable.some((x) => !x.baseline && x.labelSavings?.length)) s.push(`AUBC is test mIoU averaged over the budgets; differences are paired by seed with 95 % t intervals, resolved by exact sign-flip tests Holm-corrected within each table; "% fewer labels" is the paper's headline metric (negative: more labels).`);
  // a full-supervision bound is a ceiling: an agent's mean above it means the final training is wrong
  if (lb.ceiling) {
    const { above, seeds, checked } = lb.ceiling;
    const cells = above.map((c) => `${c.agent} at ${c.budget} (${pct(c.mean)} % against ${pct(c.bound)} % over ${counted(c.seeds, 'seed')}, Holm p ${pValue(c.pHolm)})`);
    const list = `${cells.slice(0, 5).join('; ')}${cells.length > 5 ? '; …' : ''}`;
    const resolved = above.filter((c) => c.pHolm < FAMILY_ALPHA).length;
    // the smallest Holm p a cell on n seeds can reach is checked · 2/2ⁿ: say when that already rules out a finding
    const most = Math.max(...above.map((c) => c.seeds), 0);
    const couldResolve = checked * signFlipFloor(most) < FAMILY_ALPHA;
    const test = `exact sign-flip tests of the per-seed differences, Holm-corrected over the ${checked} cells checked${couldResolve ? '' : `; on ${counted(most, 'seed')} none could be`}`;
    s.push(above.length === 0
      ? `The protocol-rule bound holds as a ceiling: no agent's mean at any budget exceeds the bounds' mean over the same seeds (${counted(seeds, 'seed')} with a bound).`
      : resolved > 0
        ? `Warning: ${above.length} ${above.length > 1 ? 'means exceed' : 'mean exceeds'} the protocol-rule bound on the same seeds, ${resolved} of them resolved (${test}): ${list}. The bound is not a ceiling: the final training is wrong; read "% of full" with care.`
        : `Warning: ${above.length} ${above.length > 1 ? 'means exceed' : 'mean exceeds'} the protocol-rule bound on the same seeds, none resolved (${test}): ${list}. The bound is a ceiling only up to the noise of one final training per seed: read "% of full" with care.`);
  } else if (lb.upperBound !== null) {
    const above = lb.agents.flatMap((a) => a.cells.flatMap((c, i) => (c && c.mean > lb.upperBound! ? [`${a.agent} at ${lb.budgets[i]} (${pct(c.mean)} %)`] : [])));
    if (above.length) s.push(`Warning: ${above.length} ${above.length > 1 ? 'means exceed' : 'mean exceeds'} the full-supervision bound of ${pct(lb.upperBound)} %: ${above.slice(0, 5).join('; ')}${above.length > 5 ? '; …' : ''}. The bound is not a ceiling here: read "% of full" with care.`);
  }
  const partial = lb.agents.filter((a) => !coverage(a, lb).full);
  const curves = Math.max(...lb.agents.map((a) => a.aubcSeeds));
  if (curves < lb.seeds.length) s.push(`The AUBCs rest on the ${curves} of ${lb.seeds.length} seeds that have a run at every budget.`);
  if (partial.length) s.push(`Partial coverage: ${partial.map((a) => { const c = coverage(a, lb); return `${a.agent} (${counted(c.seeds, 'seed')}, ${c.budgets} of ${lb.budgets.length} budgets${a.aubcSeeds < c.seeds ? `, ${a.aubcSeeds} with every budget` : ''})`; }).join('; ')}; ${partial.length === 1 ? 'its comparisons rest on what it ran' : 'their comparisons rest on what they ran'}.`);
  if (lb.leftOut) s.push(`Whole seeds only: ${leftOutText(lb.leftOut)}, which not every agent has run at every budget yet, ${lb.leftOut.runs === 1 ? 'is' : 'are'} left out of this page.`);
  return { title, sentences: s };
}
