/**
 * Write a leaderboard directory from run records: leaderboard.md, index.html (opens from the file
 * system, figures inline), the figures as SVG (Vega-Lite), overlay PNGs of what each agent labelled,
 * and the DQN's learning curve when its training record is given. The same inputs give the same bytes.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { ConfigError } from '../../core/errors.ts';
import { join } from 'node:path';
import { foldReplicates, replicateGroups, replicateSpread, type PendingReplicate, type ReplicatedAgent, type ReplicateSpread, type TrainingRun } from './replicates.ts';
import { writeFileAtomic } from '../../core/fs.ts';
import type { SegSample } from '../../env/data/dataset.ts';
import type { RegionGrid } from '../../env/regions.ts';
import type { RunRecord } from '../sweep/run-record.ts';
import { aggregate, type Leaderboard } from './aggregate.ts';
import { RANDOM_AGENT } from '../../agents/registry.ts';
import { mean, std } from './stats.ts';
import type { LeftOut } from './whole-seeds.ts';
import { FOREST, html, markdown, type Figure } from './render.ts';
import { classShareSpec, costSpec, curveSpec, forestSpec, learningCurveSpec, overlayLegendSpec, perClassSpec, renderSvg } from './plots.ts';
import { researchQuestions, type PolicyRun } from './research-questions.ts';
import { overlayPng } from './overlay.ts';
import { fileFragment } from './format.ts';
import { DQN_DEFAULTS } from '../../agents/dqn/config.ts';
import { policyId } from '../../agents/dqn/policy-id.ts';
import { readTrainingRecord, type TrainingRecord } from '../../agents/dqn/train-policy.ts';

export interface LeaderboardInputs {
  upperBound?: number | UpperBound | null;
  /** Directories written by train-policy (their training.json): learning curves and training cost. */
  policies?: readonly string[];
  /** The evaluation pool's images and region grid, for the overlay figures (skipped without). */
  pool?: { images: readonly SegSample[]; grid: RegionGrid } | null;
  /** Runs the caller left out of `given` because their seeds are not whole (whole-seeds.ts): the page says so. */
  leftOut?: LeftOut;
}

export async function writeLeaderboard(given: readonly RunRecord[], outDir: string, inputs: LeaderboardInputs = {}): Promise<Leaderboard> {
  const trainings = readPolicies(inputs.policies ?? []);
  const { board: records, members, replicated, pending } = boardOf(given, trainings);
  const bound = inputs.upperBound ?? null;
  const ub: UpperBound | null = typeof bound === 'number' ? { mean: bound, std: 0, n: 1 } : bound;
  const lb = aggregate(records, ub?.mean ?? null, undefined, ub?.bySeed);
  if (ub && ub.n > 1) lb.upperBoundSpread = { std: ub.std, n: ub.n };
  if (pending.length) lb.pendingReplicates = pending;
  if (inputs.leftOut && inputs.leftOut.runs > 0) lb.leftOut = inputs.leftOut;
  const figures: Figure[] = [];
  const svg = async (file: string, title: string, spec: Parameters<typeof renderSvg>[0]) => {
    const s = await renderSvg(spec, file.replace(/\.svg$/, ''));
    writeFileAtomic(join(outDir, file), s);
    figures.push({ file, title, svg: s });
  };
  await svg(FOREST, 'The answer: each agent\'s AUBC minus random\'s and minus the best baseline\'s, paired by seed (95 % t intervals; colour: resolved after Holm)', forestSpec(lb));
  await svg('miou-vs-budget.svg', 'Test mIoU vs budget (95 % bands over seeds; random, the best baseline and learned agents in colour)', curveSpec(lb));
  await svg('per-class-iou.svg', 'Per-class test IoU at the largest budget', perClassSpec(lb));
  await svg('labelled-classes.svg', 'Labelled pixels per class', classShareSpec(lb));
  await svg('cost.svg', 'Wall time per labelling step', costSpec(lb));
  const policies: PolicyRun[] = trainings.map(({ run }) => run);
  for (const [i, { t, run }] of trainings.entries()) {
    await svg(`dqn-learning-curve${i ? `-${i + 1}` : ''}.svg`, `DQN learning curve (${run.label}: ${run.settings})`, learningCurveSpec(t.protocol, t.history, run));
  }
  if (inputs.pool && inputs.pool.images.length >= 3) {
    const middle = lb.budgets[Math.floor((lb.budgets.length - 1) / 2)]!;
    const files = overlayFileNames(lb.agents);
    // one legend for every overlay: the class colours the labelled regions are drawn in
    await svg('overlay-classes.svg', 'Overlays below: labelled regions carry their label\'s class colour over the photo, outlined in yellow; unlabelled pixels are grey', overlayLegendSpec(lb.dataset.classNames));
    const labelled = (r: RunRecord) => r.overlayRegions.some((rs) => rs.length > 0);
    for (const a of lb.agents) {
      // the first seed at the middle budget; where the agent labelled nothing in these 3 images there (a
      // blank figure says nothing), its largest budget that did, then the next seed
      const r = lb.seeds.map((seed) => {
        const runs = records.filter((x) => x.agentId === a.agentId && x.seed === seed && labelled(x));
        return runs.find((x) => x.budgetRegions === middle) ?? runs.sort((x, y) => y.budgetRegions - x.budgetRegions)[0];
      }).find((x) => x !== undefined);
      if (!r) continue;
      const file = files.get(a.agentId)!;
      writeFileAtomic(join(outDir, file), overlayPng(inputs.pool.images.slice(0, 3), r.overlayRegions, inputs.pool.grid, lb.dataset.classNames.length));
      figures.push({ file, title: `${a.agent}: the regions it labelled in the first 3 evaluation-pool images (seed ${r.seed}, ${r.budgetRegions} regions), in their labels' class colours; grey = unlabelled`, svg: null });
    }
  }
  // each replicated agent against random and the best baseline, counting the training runs' luck too
  const versus = [RANDOM_AGENT, ...(lb.bestBaseline && lb.bestBaseline !== RANDOM_AGENT ? [lb.bestBaseline] : [])].flatMap((id) => lb.agents.filter((a) => a.agentId === id).map((a) => ({ label: a.agent, agentId: a.agentId })));
  lb.replicates = replicated.map((g) => replicateSpread(g, given, versus)).filter((x): x is ReplicateSpread => x !== null);
  // the questions see the members' runs too (the checkpoints the validation curves picked)
  const answers = researchQuestions(lb, [...records, ...members], policies);
  writeFileAtomic(join(outDir, 'leaderboard.md'), markdown(lb, answers, figures));
  writeFileAtomic(join(outDir, 'index.html'), html(lb, answers, figures));
  return lb;
}

/**
 * The board's records given the training runs behind its learned agents: checkpoints named by training
 * run and episode (namePolicies); a configuration trained on several seeds one row, the mean over its
 * training runs, its members' checkpoints apart for RQ1's spread table (replicates.ts foldReplicates);
 * a checkpoint rule only some runs are benched for off the board until the rest are. The leaderboard
 * and `compare` read a runs file the same way.
 */
export function boardOf(given: readonly RunRecord[], trainings: readonly { run: PolicyRun }[]): { board: RunRecord[]; members: RunRecord[]; replicated: ReplicatedAgent[]; pending: PendingReplicate[] } {
  const runs = trainings.map(({ run }) => trainingRunOf(run));
  const { replicated, pending } = replicateGroups(runs, given);
  return { ...foldReplicates(namePolicies(given, trainings), replicated, pending), replicated, pending };
}

/** A policy directory as a training run that may have replicates. */
function trainingRunOf(run: PolicyRun): TrainingRun {
  return {
    label: run.label,
    configuration: run.configuration ?? run.label,
    seed: run.seed ?? 0,
    checkpoints: [...(run.bestAgentId ? [{ rule: 'best' as const, agentId: run.bestAgentId }] : []), ...(run.lastAgentId ? [{ rule: 'last' as const, agentId: run.lastAgentId }] : [])],
  };
}

/** The training records of train-policy output directories, read once. */
export function readPolicies(dirs: readonly string[]): { t: TrainingRecord; run: PolicyRun }[] {
  return dirs.map((dir) => {
    const t = readTrainingRecord(dir);
    return { t, run: policyRun(dir, t) };
  });
}

/** A policy's runs labelled by the training run and episode they come from ("dqn (policy, episode 90)"), not by a hash. */
export function namePolicies(records: readonly RunRecord[], trainings: readonly { run: PolicyRun }[]): RunRecord[] {
  const named = new Map(trainings.flatMap(({ run }) => [
    ...(run.bestAgentId && run.best ? [[run.bestAgentId, `dqn (${run.label}, episode ${run.best.episode})`] as const] : []),
    ...(run.lastAgentId && run.lastAgentId !== run.bestAgentId ? [[run.lastAgentId, `dqn (${run.label}, last: episode ${run.episodes})`] as const] : []),
  ]));
  return records.map((r) => (named.has(r.agentId) ? { ...r, agent: named.get(r.agentId)! } : r));
}

/** A training record as the leaderboard reports it; settings the record omits are the defaults of the version that wrote it. */
function policyRun(dir: string, t: TrainingRecord): PolicyRun {
  const decay = t.dqn.lrDecayPerStep ?? DQN_DEFAULTS.lrDecayPerStep;
  const settings = [
    `${t.dqn.replay ?? DQN_DEFAULTS.replay} replay`,
    decay === 1 ? 'constant lr' : `lr ×${decay} per step`,
    t.reward?.firstAgainstZero ? 'first reward against 0' : 'first reward against the initial model',
  ].join(', ');
  return {
    label: dir.split('/').filter(Boolean).slice(-1)[0]!,
    settings,
    episodes: t.history.length,
    trainMs: t.history.reduce((a, h) => a + h.ms, 0) + t.validation.reduce((a, v) => a + v.ms, 0),
    validationEpisodes: t.validationEpisodes ?? 1,
    validation: t.validation,
    best: t.best,
    resumes: t.resumes ?? [],
    references: t.references ?? [],
    bestAgentId: existsSync(join(dir, 'best', 'model.json')) ? policyId(join(dir, 'best')) : null,
    lastAgentId: existsSync(join(dir, 'policy', 'model.json')) ? policyId(join(dir, 'policy')) : null,
    seed: t.seed,
    configuration: [t.protocolHash, settings, t.history.length, t.validationEpisodes ?? 1].join('|'),
    losses: t.history.flatMap((h) => (typeof h.meanLoss === 'number' ? [{ episode: h.episode, meanLoss: h.meanLoss }] : [])),
  };
}

/** The upper bound from a train-supervised result.json (its test mIoU); a ConfigError naming the file otherwise. */
/** Full-supervision bounds of several seeds: their mean, sample std and count (one file: std 0). */
export interface UpperBound {
  readonly mean: number;
  readonly std: number;
  readonly n: number;
  /** Protocol-rule bounds (`train-supervised --protocol-rule`: the episode's own start, per seed): seed → test mIoU. */
  readonly bySeed?: ReadonlyMap<number, number>;
}

export function readUpperBounds(paths: readonly string[]): UpperBound {
  const files = paths.map(readBoundFile);
  const xs = files.map((f) => f.mIoU);
  const seeds = files.map((f) => f.protocolRuleSeed);
  const bySeed = seeds.every((x) => x !== null) && new Set(seeds).size === seeds.length ? new Map(seeds.map((x, i) => [x!, xs[i]!])) : undefined;
  return { mean: mean(xs), std: std(xs), n: xs.length, ...(bySeed ? { bySeed } : {}) };
}

/** A train-supervised result: its test mIoU, and its seed when it is a protocol-rule bound (the episode's own start, that seed's). */
function readBoundFile(path: string): { mIoU: number; protocolRuleSeed: number | null } {
  if (!existsSync(path) || statSync(path).isDirectory()) throw new ConfigError(`--upper-bound ${path}: no such file (expected result.json from 'regiongym train-supervised --out')`);
  let doc: { test?: { mIoU?: unknown }; options?: { protocolRule?: unknown; seed?: unknown } };
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ConfigError(`--upper-bound ${path} is not JSON: ${(e as Error).message.split('\n')[0]}`);
  }
  const m = doc.test?.mIoU;
  if (typeof m !== 'number' || !(m >= 0 && m <= 1)) throw new ConfigError(`--upper-bound ${path}: expected test.mIoU in [0, 1] from 'regiongym train-supervised --out'`);
  const o = doc.options;
  return { mIoU: m, protocolRuleSeed: o?.protocolRule === true && typeof o.seed === 'number' ? o.seed : null };
}

/**
 * One overlay file per agent, named after its label made file-safe; labels that clean to one name (`a b`
 * and `a_b`) each get their agent id's hash appended, so no figure overwrites another.
 */
export function overlayFileNames(agents: readonly { agent: string; agentId: string }[]): Map<string, string> {
  const base = (a: { agent: string }) => `overlay-${fileFragment(a.agent)}`;
  const count = new Map<string, number>();
  for (const a of agents) count.set(base(a), (count.get(base(a)) ?? 0) + 1);
  return new Map(agents.map((a) => [a.agentId, count.get(base(a))! > 1 ? `${base(a)}-${createHash('sha256').update(a.agentId).digest('hex').slice(0, 8)}.png` : `${base(a)}.png`]));
}

