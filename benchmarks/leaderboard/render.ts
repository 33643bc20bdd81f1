/** Leaderboard renderers: markdown tables, SVG plots, a static HTML page (no server, no scripts). */
import type { Leaderboard } from './aggregate.ts';

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#7f7f7f'];
const pct = (v: number | null | undefined, d = 1) => (v === null || v === undefined || Number.isNaN(v) ? '–' : (100 * v).toFixed(d));
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function tables(lb: Leaderboard, classNames: readonly string[]): { title: string; header: string[]; rows: string[][] }[] {
  const curve = {
    title: `Test mIoU (%) by budget (regions): mean ± std over seeds, IQM [95% stratified-bootstrap CI]`,
    header: ['agent', ...lb.budgets.map(String)],
    rows: lb.agents.map((a) => [a.agent, ...a.cells.map((c) => (c ? `${pct(c.mean)} ± ${pct(c.std)} (n=${c.n}); IQM ${pct(c.iqm)} [${pct(c.ci[0])}, ${pct(c.ci[1])}]` : '–'))]),
  };
  if (lb.upperBound !== null) curve.rows.push(['full supervision (upper bound)', ...lb.budgets.map(() => pct(lb.upperBound))]);
  const summary = {
    title: `Summary (target mIoU ${pct(lb.target)} % = random's mean at ${lb.budgets[lb.budgets.length - 1]} regions; rare classes: ${lb.rareClasses.map((c) => classNames[c] ?? `class ${c}`).join(', ')})`,
    header: ['agent', 'AUBC (%)', 'labels to target', '% fewer labels than best baseline', 'P(improvement over random)', 'rare-class mIoU (%)', 'labelled class-balance entropy', ...(lb.upperBound !== null ? ['% of full'] : [])],
    rows: lb.agents.map((a) => [
      a.agent,
      `${pct(a.aubcMean)} ± ${pct(a.aubcStd)}`,
      a.labelsToTarget === null ? 'not reached' : a.labelsToTarget.toFixed(0),
      a.percentFewerThanBestBaseline === null ? '–' : a.percentFewerThanBestBaseline.toFixed(1),
      a.probImprovementOverRandom === null ? '–' : a.probImprovementOverRandom.toFixed(2),
      pct(a.rareClassMIoU),
      a.balanceEntropy.toFixed(3),
      ...(lb.upperBound !== null ? [a.percentOfFull === null ? '–' : a.percentOfFull.toFixed(1)] : []),
    ]),
  };
  return [curve, summary];
}

export function markdown(lb: Leaderboard, classNames: readonly string[]): string {
  const out = [`# Leaderboard: ${lb.protocol}`, '', `Seeds: ${lb.seeds.join(', ')}. Budgets in regions. Plots: [mIoU vs budget](miou-vs-budget.svg), [labelled classes](labelled-classes.svg).`, ''];
  for (const t of tables(lb, classNames)) {
    out.push(`## ${t.title}`, '', `| ${t.header.join(' | ')} |`, `|${t.header.map(() => '---').join('|')}|`, ...t.rows.map((r) => `| ${r.join(' | ')} |`), '');
  }
  return out.join('\n');
}

export function curveSvg(lb: Leaderboard): string {
  const W = 640, H = 400, L = 60, R = 150, T = 30, B = 50;
  const all = lb.agents.flatMap((a) => a.cells.flatMap((c) => (c ? [c.mean - c.std, c.mean + c.std] : [])));
  if (lb.upperBound !== null) all.push(lb.upperBound);
  const lo = Math.max(0, Math.min(...all) - 0.02), hi = Math.min(1, Math.max(...all) + 0.02);
  const [b0, b1] = [lb.budgets[0]!, lb.budgets[lb.budgets.length - 1]!];
  const x = (b: number) => L + ((b - b0) / Math.max(1, b1 - b0)) * (W - L - R);
  const y = (v: number) => T + (1 - (v - lo) / (hi - lo)) * (H - T - B);
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`, `<text x="${L}" y="18">${esc(lb.protocol)}: test mIoU vs labelled regions (mean ± std)</text>`];
  for (let i = 0; i <= 4; i++) {
    const v = lo + ((hi - lo) * i) / 4;
    parts.push(`<line x1="${L}" x2="${W - R}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/><text x="${L - 8}" y="${y(v) + 4}" text-anchor="end">${(100 * v).toFixed(1)}</text>`);
  }
  for (const b of lb.budgets) parts.push(`<text x="${x(b)}" y="${H - B + 18}" text-anchor="middle">${b}</text>`);
  parts.push(`<text x="${(L + W - R) / 2}" y="${H - 10}" text-anchor="middle">budget (regions)</text>`);
  if (lb.upperBound !== null) parts.push(`<line x1="${L}" x2="${W - R}" y1="${y(lb.upperBound)}" y2="${y(lb.upperBound)}" stroke="#000" stroke-dasharray="4 3"/><text x="${L + 4}" y="${y(lb.upperBound) - 4}">full supervision</text>`);
  lb.agents.forEach((a, i) => {
    const color = COLORS[i % COLORS.length]!;
    const pts = lb.budgets.map((b, j) => [b, a.cells[j]] as const).filter(([, c]) => c !== null) as [number, NonNullable<(typeof a.cells)[number]>][];
    if (pts.length === 0) return;
    const band = [...pts.map(([b, c]) => `${x(b)},${y(c.mean + c.std)}`), ...[...pts].reverse().map(([b, c]) => `${x(b)},${y(c.mean - c.std)}`)].join(' ');
    parts.push(`<polygon points="${band}" fill="${color}" fill-opacity="0.15"/>`);
    parts.push(`<polyline points="${pts.map(([b, c]) => `${x(b)},${y(c.mean)}`).join(' ')}" fill="none" stroke="${color}" stroke-width="2"/>`);
    for (const [b, c] of pts) parts.push(`<circle cx="${x(b)}" cy="${y(c.mean)}" r="3" fill="${color}"/>`);
    parts.push(`<rect x="${W - R + 6}" y="${T + 18 * i}" width="12" height="12" fill="${color}"/><text x="${W - R + 24}" y="${T + 18 * i + 10}">${esc(a.agent)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}

export function classSvg(lb: Leaderboard, classNames: readonly string[]): string {
  const W = 640, rowH = 26, L = 130, R = 20, T = 40;
  const H = T + rowH * lb.agents.length + 60;
  const nClasses = Math.max(0, ...lb.agents.map((a) => a.labeledShare.length));
  const palette = (c: number) => `hsl(${(c * 360) / Math.max(1, nClasses)}, 55%, ${c === nClasses - 1 ? 20 : 55}%)`;
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`, `<text x="${L}" y="18">labelled pixels per class at ${lb.budgets[lb.budgets.length - 1]} regions (mean share over seeds)</text>`];
  lb.agents.forEach((a, i) => {
    let x0 = L;
    parts.push(`<text x="${L - 8}" y="${T + i * rowH + 14}" text-anchor="end">${esc(a.agent)}</text>`);
    a.labeledShare.forEach((s, c) => {
      const w = s * (W - L - R);
      parts.push(`<rect x="${x0}" y="${T + i * rowH}" width="${w}" height="${rowH - 6}" fill="${palette(c)}"><title>${esc(classNames[c] ?? 'void')}: ${(100 * s).toFixed(1)}%</title></rect>`);
      x0 += w;
    });
  });
  for (let c = 0; c < nClasses; c++) {
    const lx = L + (c % 6) * 80, ly = T + rowH * lb.agents.length + 10 + Math.floor(c / 6) * 18;
    parts.push(`<rect x="${lx}" y="${ly}" width="10" height="10" fill="${palette(c)}"/><text x="${lx + 14}" y="${ly + 9}">${esc(classNames[c] ?? 'void')}</text>`);
  }
  parts.push('</svg>');
  return parts.join('\n');
}

export function html(lb: Leaderboard, classNames: readonly string[], svgs: string[]): string {
  const ts = tables(lb, classNames)
    .map((t) => `<h2>${esc(t.title)}</h2><table><tr>${t.header.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>${t.rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('')}</table>`)
    .join('\n');
  return `<!doctype html><html><head><meta charset="utf-8"><title>regiongym leaderboard: ${esc(lb.protocol)}</title>
<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;font-size:13px}th{background:#f4f4f4}</style></head>
<body><h1>regiongym leaderboard: ${esc(lb.protocol)}</h1><p>Seeds: ${lb.seeds.join(', ')}. Budgets in regions.</p>${ts}${svgs.map((s) => `<div>${s}</div>`).join('\n')}</body></html>`;
}
