/**
 * The leaderboard's figures as Vega-Lite specs, rendered to SVG in Node by vega (no browser, no
 * canvas: text widths are estimated, so the same numbers give the same bytes).
 */
import * as vega from 'vega';
import * as vl from 'vega-lite';
import { lastBudget, type Leaderboard } from './aggregate.ts';
import type { PolicyRun } from './research-questions.ts';

type Spec = vl.TopLevelSpec;

/**
 * The SVG of a spec. Vega numbers gradient and clip ids with a process-wide counter, so ids are
 * renamed `<prefix>-<k>` in order of appearance: the same spec gives the same bytes, and several
 * figures inlined in one page never share an id.
 */
export async function renderSvg(spec: Spec, prefix = 'fig'): Promise<string> {
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
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

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const pct = (v: number) => Math.round(10000 * v) / 100;

/** Test mIoU vs budget: mean per agent, 95 % bootstrap band over seeds, the full-supervision line. */
export function curveSpec(lb: Leaderboard): Spec {
  const values = lb.agents.flatMap((a) => a.cells.flatMap((c, j) => (c ? [{ agent: a.agent, budget: lb.budgets[j]!, mean: pct(c.mean), lo: pct(c.meanCi[0]), hi: pct(c.meanCi[1]) }] : [])));
  const layers: unknown[] = [
    { mark: { type: 'errorband', opacity: 0.15 }, encoding: { y: { field: 'lo', type: 'quantitative', title: 'test mIoU (%)', scale: { zero: false } }, y2: { field: 'hi' }, color: { field: 'agent' } } },
    { mark: { type: 'line', point: true }, encoding: { y: { field: 'mean', type: 'quantitative' }, color: { field: 'agent', title: 'agent' } } },
  ];
  if (lb.upperBound !== null) layers.push({ data: { values: [{ full: pct(lb.upperBound), label: 'full supervision' }] }, layer: [{ mark: { type: 'rule', strokeDash: [4, 3] }, encoding: { y: { field: 'full', type: 'quantitative' } } }, { mark: { type: 'text', align: 'left', dx: 4, dy: -6 }, encoding: { y: { field: 'full', type: 'quantitative' }, x: { datum: lb.budgets[0] }, text: { field: 'label' } } }] });
  return { $schema: SCHEMA, title: `${lb.protocol}: test mIoU vs labelled regions (mean, 95 % band over seeds)`, width: 520, height: 320, data: { values }, encoding: { x: { field: 'budget', type: 'quantitative', title: 'budget (regions)', scale: { zero: false } } }, layer: layers } as Spec;
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

/** The DQN's learning curve: return per training episode, and the greedy policy's validation mIoU. */
export function learningCurveSpec(name: string, history: { episode: number; return: number }[], p: Pick<PolicyRun, 'validation' | 'references'>): Spec {
  return {
    $schema: SCHEMA,
    title: `${name}: DQN training (return per episode; greedy validation reward-set mIoU)`,
    width: 520,
    height: 260,
    layer: [
      { data: { values: history.map((h) => ({ episode: h.episode, return: Math.round(1000 * h.return) / 1000 })) }, mark: { type: 'line', opacity: 0.6 }, encoding: { x: { field: 'episode', type: 'quantitative' }, y: { field: 'return', type: 'quantitative', title: 'episode return (points)' } } },
      {
        layer: [
          { data: { values: p.validation.map((v) => ({ episode: v.episode, miou: pct(v.rewardMIoU) })) }, mark: { type: 'line', point: true, color: '#d62728' }, encoding: { x: { field: 'episode', type: 'quantitative' }, y: { field: 'miou', type: 'quantitative', title: 'validation mIoU (%) (dashed: baselines on the same episode)', scale: { zero: false } } } },
          ...(p.references.length ? [
            { data: { values: p.references.map((r) => ({ agent: r.agent, miou: pct(r.rewardMIoU) })) }, mark: { type: 'rule', strokeDash: [4, 3] }, encoding: { y: { field: 'miou', type: 'quantitative' }, color: { field: 'agent', type: 'nominal', title: 'baseline' } } },
          ] : []),
        ],
      },
    ],
    resolve: { scale: { y: 'independent' } },
  } as Spec;
}
