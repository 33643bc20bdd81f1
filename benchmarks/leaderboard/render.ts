/** Leaderboard renderers: markdown tables and a static HTML page (no server, no scripts) around the figures. */
import { lastBudget, seedsToResolvePoints, type AgentSummary, type Comparison, type Leaderboard } from './aggregate.ts';
import type { Answer } from './research-questions.ts';
import { coverage, verdict } from './verdict.ts';
import { counted } from '../../core/text.ts';
import { escHtml, fewSeedPairs, fixed, mdCell, mdText, pct, pts, pValue, runMinutes } from './format.ts';

const esc = escHtml;

export interface Table {
  /** Anchor of the table's section (HTML id, Markdown heading). */
  id: string;
  title: string;
  header: string[];
  rows: string[][];
  note?: string;
  /** Folded under the table: the same rows in detail. */
  detail?: { summary: string; header: string[]; rows: string[][] };
}

const mark = (a: AgentSummary) => (a.privileged ? `${a.agent} (upper bound, reads labels)` : a.agent);

function comparison(c: Comparison | null): string {
  return c ? `${pts(c.meanDiff)} [${pts(c.ci[0])}, ${pts(c.ci[1])}]${c.resolved ? ' ✓' : ''}` : '–';
}

export function tables(lb: Leaderboard): Table[] {
  const maxB = lastBudget(lb);
  // the main table is scannable (mean ± std, and each agent's coverage); n, IQM and intervals are folded
  const cover = (a: AgentSummary) => {
    const c = coverage(a, lb);
    return `${c.seeds} × ${c.budgets}${c.full ? '' : ' (partial)'}`;
  };
  const curve: Table = {
    id: 'miou',
    title: 'Test mIoU (%) by budget (regions): mean ± std over seeds',
    header: ['agent', 'seeds × budgets', ...lb.budgets.map(String), 'AUBC'],
    rows: lb.agents.map((a) => [mark(a), cover(a), ...a.cells.map((c) => (c ? `${pct(c.mean)} ± ${pct(c.std)}` : '–')), `${pct(a.aubcMean)} ± ${pct(a.aubcStd)}`]),
    detail: {
      summary: 'Per cell: seeds (n), IQM [95 % stratified-bootstrap CI]; AUBC mean [95 % bootstrap CI]',
      header: ['agent', ...lb.budgets.map(String), 'AUBC [95 % CI]'],
      rows: lb.agents.map((a) => [mark(a), ...a.cells.map((c) => (c ? `n=${c.n}; IQM ${pct(c.iqm)} [${pct(c.ci[0])}, ${pct(c.ci[1])}]` : '–')), `${pct(a.aubcMean)} [${pct(a.aubcCi[0])}, ${pct(a.aubcCi[1])}]`]),
    },
  };
  if (lb.upperBound !== null) {
    const spread = lb.upperBoundSpread ? `, mean of ${lb.upperBoundSpread.n} seeds ± ${pct(lb.upperBoundSpread.std)}` : '';
    curve.rows.push([`full supervision (upper bound${spread})`, '', ...lb.budgets.map(() => pct(lb.upperBound)), pct(lb.upperBound)]);
  }
  const paired = (id: string, title: string, pick: (a: AgentSummary) => (Comparison | null)[]): Table => ({
    id,
    title,
    header: ['agent', ...lb.budgets.map(String), 'AUBC', 'AUBC: sign-flip p (Holm-adjusted)', 'P(improvement), AUBC'],
    rows: lb.agents.map((a) => {
      const cs = pick(a);
      const last = cs[cs.length - 1];
      return [mark(a), ...cs.map(comparison), last ? `${pValue(last.p)} (${pValue(last.pAdjusted)})` : '–', last?.probImprovement.toFixed(2) ?? '–'];
    }),
    note: pairedNote(lb.agents.flatMap((a) => pick(a))),
  });
  // the seeds a 1-point AUBC difference to random needs at this agent's paired spread (80 % power, Holm over the AUBC column)
  const seedsColumn = (c: Comparison | null | undefined) => fixed(c ? seedsToResolvePoints(c.sdDiff, c.familySize) : null, 0);
  const summary: Table = {
    id: 'summary',
    title: `Summary (target ${pct(lb.target)} % = random's mean at ${maxB} regions; rare classes: ${lb.rareClasses.map((c) => lb.dataset.classNames[c] ?? `class ${c}`).join(', ')})`,
    header: ['agent', 'seeds', 'seed-to-seed std of AUBC (points)', 'seeds to resolve 1 point against random (80 % power)', 'labels to target', `% fewer labels than ${lb.bestBaseline ?? 'the best baseline'} to reach its mIoU at ${maxB} [95 % CI]`, `rare-class mIoU at ${maxB} (%)`, 'labelled class-balance entropy', ...(lb.upperBound !== null ? ['% of full'] : []), 's per step', 'min per run'],
    rows: lb.agents.map((a) => [
      mark(a),
      // the std and seed-count columns are over the seeds with a run at every budget: say so when fewer
      a.aubcSeeds < a.seeds.length ? `${a.seeds.length} (${a.aubcSeeds} at every budget)` : String(a.seeds.length),
      pct(a.aubcStd, 2),
      seedsColumn(a.vsRandom[lb.budgets.length]),
      a.labelsToTarget === null ? 'not reached' : a.labelsToTarget.toFixed(0),
      savingAtLast(a, maxB),
      pct(a.rareClassMIoU),
      fixed(a.balanceEntropy, 3),
      ...(lb.upperBound !== null ? [fixed(a.percentOfFull, 1)] : []),
      fixed(a.stepMs, 2, 1000),
      runMinutes(a, maxB),
    ]),
  };
  return [curve, paired('vs-random', 'Paired difference to random (points)', (a) => a.vsRandom), paired('vs-best', `Paired difference to the best baseline (${lb.bestBaseline ?? 'none'}; the best baseline itself against the next best)`, (a) => a.vsBestBaseline), summary];
}

export interface Figure {
  /** File name in the output directory. */
  file: string;
  title: string;
  /** Inline SVG (for the page), or null for a PNG. */
  svg: string | null;
}

function mdTable(t: { header: string[]; rows: string[][] }): string[] {
  return [`| ${t.header.map(mdCell).join(' | ')} |`, `|${t.header.map(() => '---').join('|')}|`, ...t.rows.map((r) => `| ${r.map(mdCell).join(' | ')} |`)];
}

/** The learner's settings as `key value` pairs, lists by their length (the encoder's layer list is long). */
function learnerSettings(model: Leaderboard['model']): string {
  return Object.entries(model)
    .filter(([k]) => k !== 'name')
    .map(([k, v]) => `${k} ${Array.isArray(v) ? `(${v.length})` : typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`)
    .join(', ');
}

/** A learned agent's "% fewer labels" at the board's last budget (aggregate.ts LabelSaving), else '–'. */
function savingAtLast(a: AgentSummary, maxB: number): string {
  const s = a.labelSavings?.find((x) => x.budget === maxB);
  if (!s) return '–';
  const v = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : 'not reached');
  return `${s.percentFewer === null ? 'not reached' : `${s.atLeast ? '≥ ' : ''}${v(s.percentFewer)}`} [${v(s.ci[0])}, ${v(s.ci[1])}]`;
}

/** The paired tables' footnote: what the interval is, which family a ✓ is corrected over, and a caution for few pairs. */
function pairedNote(cs: readonly (Comparison | null)[]): string {
  const aubc = cs.find((c) => c !== null);
  const base = 'Mean of the per-seed differences in points with its 95 % t interval over seeds (unadjusted). ✓ = resolved: the exact sign-flip permutation p-value, Holm-adjusted within its family, is below 0.05. Families: this table\'s AUBC column is one, its per-budget cells another (upper bounds that read the labels: families of their own)'
    + (aubc ? '; with n seed pairs no p-value can fall below 2/2ⁿ (0.002 at 10 pairs), so a family of many cells needs more seeds before any cell can be resolved.' : '.');
  const few = fewSeedPairs(cs);
  return few === null ? base : `${base} Some cells rest on ${few} seed pairs: too few for any test to resolve them.`;
}

/** The protocol, learner and run counts: folded at the end of the page (the verdict comes first). */
function details(lb: Leaderboard): string[] {
  return [
    `Protocol \`${lb.protocol}\` (content ${lb.protocolHash}), learner ${lb.model.name} (${learnerSettings(lb.model)}), data ${lb.dataset.name}, gradients on ${lb.training}.`,
    `${lb.runs} runs of ${lb.agents.length} agents over seeds ${lb.seeds.join(', ')} and budgets ${lb.budgets.join(', ')} (regions; each agent's coverage is in the first table), in ${lb.trajectories} trajectories of ${(lb.runTimeMs / 3.6e6).toFixed(1)} h summed wall time (each trajectory's labelling to its last budget, every final training and test, from the records). Upper bounds that read the labels are marked and never ranked against deployable agents.`,
  ];
}

/** The sections of a page, in order, for its table of contents. */
function contents(answers: readonly Answer[], figures: readonly Figure[]): { id: string; title: string }[] {
  return [
    { id: 'verdict', title: 'Verdict' },
    ...(figures.some((f) => f.file === FOREST) ? [{ id: 'differences', title: 'Paired AUBC differences (figure)' }] : []),
    { id: 'miou', title: 'Test mIoU by budget' },
    { id: 'vs-random', title: 'Paired difference to random' },
    { id: 'vs-best', title: 'Paired difference to the best baseline' },
    { id: 'summary', title: 'Summary' },
    ...answers.map((a) => ({ id: a.id, title: `${a.id}. ${a.question.replace(/ \(.*$/, '')}` })),
    { id: 'figures', title: 'Figures' },
    { id: 'details', title: 'Protocol, learner and runs' },
  ];
}

/** The forest plot's file: shown right after the verdict, not again among the figures. */
export const FOREST = 'aubc-differences.svg';

export function markdown(lb: Leaderboard, answers: readonly Answer[], figures: readonly Figure[]): string {
  const v = verdict(lb, answers);
  const forest = figures.find((f) => f.file === FOREST);
  const out = [`# ${mdText(v.title)}`, '', '<a id="verdict"></a>', '', ...v.sentences.map((x) => `- ${mdText(x)}`), ''];
  out.push(`Contents: ${contents(answers, figures).map((c) => `[${mdText(c.title)}](#${c.id})`).join(' · ')}`, '');
  if (forest) out.push('<a id="differences"></a>', '', `![${mdText(forest.title)}](${encodeURIComponent(forest.file)})`, '');
  for (const t of tables(lb)) {
    out.push(`<a id="${t.id}"></a>`, '', `## ${mdText(t.title)}`, '', ...mdTable(t), ...(t.note ? ['', mdText(t.note)] : []), '');
    if (t.detail) out.push('<details><summary>' + mdText(t.detail.summary) + '</summary>', '', ...mdTable(t.detail), '', '</details>', '');
  }
  out.push('## The research questions', '', 'Every sentence below is generated from the run records; each question leads with its answer, the rest is folded.', '');
  for (const a of answers) {
    out.push(`<a id="${a.id}"></a>`, '', `### ${a.id}. ${mdText(a.question)}`, '', ...a.lead.map((x) => `- ${mdText(x)}`), '');
    out.push(`<details><summary>All ${a.sentences.length} sentences${a.tables?.length ? ` and ${counted(a.tables.length, 'table')}` : ''}</summary>`, '', ...a.sentences.map((x) => `- ${mdText(x)}`), '');
    for (const t of a.tables ?? []) out.push(...mdTable(t), '');
    out.push('</details>', '');
  }
  out.push('<a id="figures"></a>', '', '## Figures', '', ...figures.filter((f) => f !== forest).map((f) => `- [${mdText(f.title)}](${encodeURIComponent(f.file)})`), '');
  out.push('<a id="details"></a>', '', '## Protocol, learner and runs', '', '<details><summary>Protocol content hash, learner settings, run counts</summary>', '', ...details(lb).map(mdText), '', '</details>', '');
  return out.join('\n');
}

export function html(lb: Leaderboard, answers: readonly Answer[], figures: readonly Figure[]): string {
  const v = verdict(lb, answers);
  const forest = figures.find((f) => f.file === FOREST);
  const table = (t: { header: string[]; rows: string[][] }) => `<table><tr>${t.header.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>${t.rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('')}</table>`;
  const figure = (f: Figure) => `<figure><figcaption>${esc(f.title)}</figcaption>${f.svg ?? `<img src="${esc(encodeURIComponent(f.file))}" alt="${esc(f.title)}">`}</figure>`;
  const ts = tables(lb).map((t) => `<section id="${t.id}"><h2>${esc(t.title)}</h2>${table(t)}${t.note ? `<p class="note">${esc(t.note)}</p>` : ''}${t.detail ? `<details><summary>${esc(t.detail.summary)}</summary>${table(t.detail)}</details>` : ''}</section>`).join('\n');
  const rq = answers.map((a) => `<section id="${a.id}"><h3>${a.id}. ${esc(a.question)}</h3><ul class="lead">${a.lead.map((x) => `<li>${esc(x)}</li>`).join('')}</ul><details><summary>All ${a.sentences.length} sentences${a.tables?.length ? ` and ${counted(a.tables.length, 'table')}` : ''}</summary><ul>${a.sentences.map((x) => `<li>${esc(x)}</li>`).join('')}</ul>${(a.tables ?? []).map(table).join('')}</details></section>`).join('\n');
  const toc = contents(answers, figures).map((c) => `<a href="#${c.id}">${esc(c.title)}</a>`).join(' · ');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>regiongym leaderboard: ${esc(lb.protocol)}</title>
<style>body{font-family:sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;line-height:1.4}h1{font-size:1.5em}#verdict{font-size:1.05em;background:#f6f8fa;border-left:4px solid #1a9850;padding:.4em 1em .4em 2em;margin:1em 0}#verdict li{margin:.3em 0}nav{font-size:13px;margin:1em 0}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 6px;text-align:left;font-size:12px}th{background:#f4f4f4}figure{margin:1.5em 0}figcaption{font-weight:bold;margin-bottom:.4em}img{max-width:100%}.note{font-size:12px;color:#555}details{margin:.5em 0}summary{cursor:pointer;color:#0550ae;font-size:13px}ul.lead li{font-weight:500}</style></head>
<body><h1>${esc(v.title)}</h1>
<ul id="verdict">${v.sentences.map((x) => `<li>${esc(x)}</li>`).join('')}</ul>
<nav>Contents: ${toc}</nav>
${forest ? `<section id="differences">${figure(forest)}</section>` : ''}
${ts}
<h2>The research questions</h2><p>Every sentence below is generated from the run records; each question leads with its answer, the rest is folded.</p>
${rq}
<section id="figures"><h2>Figures</h2>
${figures.filter((f) => f !== forest).map(figure).join('\n')}
</section>
<section id="details"><h2>Protocol, learner and runs</h2><details><summary>Protocol content hash, learner settings, run counts</summary>${details(lb).map((p) => `<p>${esc(p)}</p>`).join('')}</details></section>
</body></html>
`;
}
