/**
 * The leaderboard's figures as Vega-Lite specs, rendered to SVG in Node by vega (no browser, no
 * canvas: text widths are estimated, so the same numbers give the same bytes).
 */
import { RANDOM_AGENT } from '../../agents/registry.ts';
import type * as vl from 'vega-lite';
import { lastBudget, type Leaderboard } from './aggregate.ts';
import type { PolicyRun } from './research-questions.ts';
import { classColour } from './overlay.ts';

export type Spec = vl.TopLevelSpec;

/**
 * The SVG of a spec. Vega numbers gradient and clip ids with a process-wide counter, so ids are
 * renamed `<prefix>-<k>` in order of appearance: the same spec gives the same bytes, and several
 * figures inlined in one page never share an id.
 */
export async function renderSvg(spec: Spec, prefix = 'fig'): Promise<string> {
  // loaded on first use: vega and vega-lite take about a second to import, which every other command
  // (bench, train-policy, the test suite's many CLI runs) would otherwise pay at start-up
  const [vega, { compile }] = await Promise.all([import('vega'), import('vega-lite')]);
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    const ids = [...new Set([...svg.matchAll(/\bid="([^"]+)"/g)].map((m) => m[1]!))];
    const rename = new Map(ids.map((id, k) => [id, `${prefix}-${k}`]));
    return svg.replace(/\bid="([^"]+)"|url\(#([^)]+)\)|href="#([^"]+)"/g, (m, def?: string, url?: string, href?: string) => {
      if (def) return `id="${rename.get(def)}"`;
      if (url) return rename.has(url) ? `url(#${rename.get(url)})` : m;
      return rename.has(href!) ? `href="#${rename.get(href!)}"` : m;
    });
  } finally {
    view.finalize();
  }
}

export const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const pct = (v: number) => Math.round(10000 * v) / 100;

/** The agents a curve figure draws in colour: random, the best baseline and every learned agent (upper bounds too). */
export function highlighted(lb: Leaderboard): Set<string> {
  return new Set(lb.agents.filter((a) => a.agentId === RANDOM_AGENT || a.agent === lb.bestBaseline || !a.baseline || a.privileged).map((a) => a.agentId));
}

const OTHERS = 'other agents';

/**
 * Test mIoU vs budget: random, the best baseline and learned agents in colour with their 95 % bands,
 * every other agent a grey line under one legend entry; the full-supervision line. Full labels.
 */
export function curveSpec(lb: Leaderboard): Spec {
  const lit = highlighted(lb);
  const others = lb.agents.filter((a) => !lit.has(a.agentId)).length;
  const series = (a: { agentId: string; agent: string }) => (lit.has(a.agentId) ? a.agent : OTHERS);
  const values = lb.agents.flatMap((a) => a.cells.flatMap((c, j) => (c ? [{ agent: a.agent, series: series(a), budget: lb.budgets[j]!, mean: pct(c.mean), lo: pct(c.meanCi[0]), hi: pct(c.meanCi[1]) }] : [])));
  const domain = [...lb.agents.filter((a) => lit.has(a.agentId)).map((a) => a.agent), ...(others ? [OTHERS] : [])];
  const range = [...domain.slice(0, domain.length - (others ? 1 : 0)).map((_, i) => CATEGORY20[(2 * i) % CATEGORY20.length]!), ...(others ? ['#c8c8c8'] : [])];
  const color = { field: 'series', type: 'nominal', title: null, scale: { domain, range }, legend: { labelLimit: 0, orient: 'bottom', columns: 2, symbolType: 'stroke', symbolStrokeWidth: 3, symbolOpacity: 1, symbolFillColor: null } };
  const layers: unknown[] = [
    { transform: [{ filter: `datum.series === '${OTHERS}'` }], mark: { type: 'line', strokeWidth: 1 }, encoding: { y: { field: 'mean', type: 'quantitative' }, detail: { field: 'agent' }, color } },
    { transform: [{ filter: `datum.series !== '${OTHERS}'` }], mark: { type: 'errorband', opacity: 0.15 }, encoding: { y: { field: 'lo', type: 'quantitative', title: 'test mIoU (%)', scale: { zero: false } }, y2: { field: 'hi' }, color } },
    { transform: [{ filter: `datum.series !== '${OTHERS}'` }], mark: { type: 'line', point: true, strokeWidth: 2 }, encoding: { y: { field: 'mean', type: 'quantitative' }, color } },
  ];
  if (lb.upperBound !== null) layers.push({ data: { values: [{ full: pct(lb.upperBound), label: 'full supervision' }] }, layer: [{ mark: { type: 'rule', strokeDash: [4, 3] }, encoding: { y: { field: 'full', type: 'quantitative' } } }, { mark: { type: 'text', align: 'left', dx: 4, dy: -6 }, encoding: { y: { field: 'full', type: 'quantitative' }, x: { datum: lb.budgets[0] }, text: { field: 'label' } } }] });
  const title = `${lb.protocol}: test mIoU vs labelled regions (mean, 95 % band over seeds)${others ? `; grey: the other ${others} agents` : ''}`;
  return { $schema: SCHEMA, title, width: 560, height: 340, data: { values }, encoding: { x: { field: 'budget', type: 'quantitative', title: 'budget (regions)', scale: { zero: false } } }, layer: layers } as Spec;
}

/** Vega's category20 (d3.schemeCategory20): 20 agents told apart; the curves take its strong half first. */
const CATEGORY20 = ['#1f77b4', '#aec7e8', '#ff7f0e', '#ffbb78', '#2ca02c', '#98df8a', '#d62728', '#ff9896', '#9467bd', '#c5b0d5', '#8c564b', '#c49c94', '#e377c2', '#f7b6d2', '#7f7f7f', '#c7c7c7', '#bcbd22', '#dbdb8d', '#17becf', '#9edae5'];

const VERDICT_COLOURS = { domain: ['resolved better', 'not resolved', 'resolved worse'], range: ['#1a9850', '#7f7f7f', '#d73027'] };

/**
 * The board's answer in one figure: each deployable agent's AUBC minus random's (and minus the best
 * baseline's), paired by seed, with its 95 % t interval, sorted; colour says whether the difference
 * is resolved after Holm's correction over the table.
 */
export function forestSpec(lb: Leaderboard): Spec {
  const A = lb.budgets.length;
  const rows = (pick: (a: Leaderboard['agents'][number]) => Leaderboard['agents'][number]['vsRandom']) =>
    lb.agents.filter((a) => !a.privileged).flatMap((a) => {
      const c = pick(a)[A];
      return c ? [{ agent: a.agent, diff: pct(c.meanDiff), lo: pct(c.ci[0]), hi: pct(c.ci[1]), verdict: c.resolved ? (c.meanDiff > 0 ? 'resolved better' : 'resolved worse') : 'not resolved' }] : [];
    });
  const panel = (title: string, values: ReturnType<typeof rows>) => ({
    title,
    width: 420,
    height: { step: 16 },
    layer: [
      { data: { values: [{ zero: 0 }] }, mark: { type: 'rule', strokeDash: [4, 3], color: '#555' }, encoding: { x: { field: 'zero', type: 'quantitative' } } },
      {
        data: { values },
        encoding: { y: { field: 'agent', type: 'nominal', sort: { field: 'diff', order: 'descending' }, title: null, axis: { labelLimit: 0 } }, color: { field: 'verdict', type: 'nominal', scale: VERDICT_COLOURS, title: 'after Holm', legend: { orient: 'bottom' } } },
        layer: [
          { mark: { type: 'rule', strokeWidth: 2 }, encoding: { x: { field: 'lo', type: 'quantitative', title: 'AUBC difference (points, 95 % t interval)' }, x2: { field: 'hi' } } },
          { mark: { type: 'point', filled: true, size: 50 }, encoding: { x: { field: 'diff', type: 'quantitative' } } },
        ],
      },
    ],
  });
  const panels = [panel('AUBC − random', rows((a) => a.vsRandom))];
  if (lb.bestBaseline) panels.push(panel(`AUBC − ${lb.bestBaseline} (best baseline; it against the next best)`, rows((a) => a.vsBestBaseline)));
  return { $schema: SCHEMA, title: `${lb.protocol}: paired AUBC differences over seeds`, vconcat: panels, resolve: { scale: { color: 'shared' } } } as Spec;
}

/** Labelled-pixel share per class at the largest budget, one stacked bar per agent. */
export function classShareSpec(lb: Leaderboard): Spec {
  const names = [...lb.dataset.classNames, 'void'];
  const values = lb.agents.flatMap((a) => a.labeledShare.map((s, c) => ({ agent: a.agent, class: names[c] ?? `class ${c}`, order: c, share: pct(s) })));
  return { $schema: SCHEMA, title: `labelled pixels per class at ${lastBudget(lb)} regions (mean share over seeds)`, width: 520, data: { values }, mark: 'bar', encoding: { y: { field: 'agent', type: 'nominal', sort: null }, x: { field: 'share', type: 'quantitative', stack: 'zero', title: 'share of labelled pixels (%)' }, color: { field: 'class', type: 'nominal', sort: names }, order: { field: 'order' } } } as Spec;
}

/** Per-class test IoU at the largest budget, agent × class. */
export function perClassSpec(lb: Leaderboard): Spec {
  const values = lb.agents.flatMap((a) => a.perClassIoU.map((v, c) => ({ agent: a.agent, class: lb.dataset.classNames[c] ?? `class ${c}`, iou: v === null ? null : pct(v) })));
  return { $schema: SCHEMA, title: `test IoU (%) per class at ${lastBudget(lb)} regions`, data: { values }, encoding: { y: { field: 'agent', type: 'nominal', sort: null }, x: { field: 'class', type: 'nominal', sort: null } }, layer: [{ mark: 'rect', encoding: { color: { field: 'iou', type: 'quantitative', scale: { scheme: 'viridis' }, title: 'IoU (%)' } } }, { mark: { type: 'text', fontSize: 9 }, encoding: { text: { field: 'iou', type: 'quantitative', format: '.0f' }, color: { value: 'white' } } }] } as Spec;
}

/** Wall time per labelling step of every agent. */
export function costSpec(lb: Leaderboard): Spec {
  const values = lb.agents.map((a) => ({ agent: a.agent, seconds: Math.round(a.stepMs) / 1000 }));
  return { $schema: SCHEMA, title: 'wall time per labelling step (s)', width: 420, data: { values }, mark: 'bar', encoding: { y: { field: 'agent', type: 'nominal', sort: '-x' }, x: { field: 'seconds', type: 'quantitative', title: 's per step' } } } as Spec;
}

/** The DQN's learning curve: return per training episode, and the greedy policy's validation mIoU; one legend for every line. */
export function learningCurveSpec(name: string, history: { episode: number; return: number }[], p: Pick<PolicyRun, 'validation' | 'references'>): Spec {
  const RETURN = 'episode return (left axis)';
  const VALIDATION = 'greedy validation mIoU (right axis)';
  const domain = [RETURN, VALIDATION, ...p.references.map((r) => `${r.agent} on the validation episodes (dashed)`)];
  const seriesColour = { field: 'series', type: 'nominal', title: null, scale: { domain, range: ['#9ecae1', '#d62728', ...CATEGORY20.slice(2)] }, legend: { orient: 'bottom', direction: 'vertical', labelLimit: 0, symbolType: 'stroke', symbolStrokeWidth: 3, symbolOpacity: 1 } };
  return {
    $schema: SCHEMA,
    title: `${name}: DQN training (return per episode; greedy validation reward-set mIoU)`,
    width: 520,
    height: 260,
    layer: [
      { data: { values: history.map((h) => ({ episode: h.episode, return: Math.round(1000 * h.return) / 1000, series: RETURN })) }, mark: { type: 'line', opacity: 0.6 }, encoding: { x: { field: 'episode', type: 'quantitative' }, y: { field: 'return', type: 'quantitative', title: 'episode return (points)' }, color: seriesColour } },
      {
        layer: [
          { data: { values: p.validation.map((v) => ({ episode: v.episode, miou: pct(v.rewardMIoU), series: VALIDATION })) }, mark: { type: 'line', point: true }, encoding: { x: { field: 'episode', type: 'quantitative' }, y: { field: 'miou', type: 'quantitative', title: 'validation mIoU (%)', scale: { zero: false } }, color: seriesColour } },
          ...(p.references.length ? [
            { data: { values: p.references.map((r) => ({ miou: pct(r.rewardMIoU), series: `${r.agent} on the validation episodes (dashed)` })) }, mark: { type: 'rule', strokeDash: [4, 3] }, encoding: { y: { field: 'miou', type: 'quantitative' }, color: seriesColour } },
          ] : []),
        ],
      },
    ],
    resolve: { scale: { y: 'independent', color: 'shared' } },
  } as Spec;
}

/** The class colours of the overlay figures (overlay.ts classColour), as a legend of swatches. */
export function overlayLegendSpec(classNames: readonly string[]): Spec {
  const hex = (c: number) => `#${classColour(c).map((v) => v.toString(16).padStart(2, '0')).join('')}`;
  return {
    $schema: SCHEMA,
    title: 'class colours of the labelled regions',
    width: 420,
    height: 10,
    data: { values: classNames.map((name, c) => ({ name, c })) },
    mark: { type: 'square', size: 0, opacity: 0 },
    encoding: { color: { field: 'name', type: 'nominal', sort: [...classNames], scale: { domain: [...classNames], range: classNames.map((_, c) => hex(c)) }, legend: { title: null, orient: 'top', direction: 'horizontal', columns: 6, symbolType: 'square', symbolSize: 160, symbolOpacity: 1, labelLimit: 0 } } },
    config: { view: { stroke: null } },
  } as Spec;
}
