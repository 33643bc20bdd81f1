/**
 * What holds across protocols (learners, regimes, data sets), in the manner of rliable (Agarwal et al.,
 * NeurIPS 2021): each agent's AUBC as a relative gain over random, paired by seed within its protocol,
 * so protocols of different mIoU levels share one scale; the IQM of those gains over every
 * (protocol, seed) pair with a bootstrap interval stratified by protocol; a performance profile (the
 * share of a protocol's seeds above each gain, averaged over protocols so each counts once); and a
 * verdict per agent saying whether its comparison with random keeps its direction on every protocol
 * or flips. Pure functions of the boards.
 */
import { SCHEMA, type Spec } from './plots.ts';
import type { Comparison } from './aggregate.ts';
import { bootstrapCI, iqm } from './stats.ts';

/** (AUBC − random AUBC) / random AUBC on each seed both have a full curve for. */
export function relativeGains(agent: ReadonlyMap<number, number>, random: ReadonlyMap<number, number>): number[] {
  const out: number[] = [];
  for (const [seed, a] of agent) {
    const r = random.get(seed);
    if (r !== undefined && r > 0) out.push((a - r) / r);
  }
  return out;
}

export interface AcrossGain {
  /** IQM of the relative gains over every (protocol, seed) pair. */
  iqm: number;
  /** 95 % bootstrap interval of the IQM, seeds resampled within each protocol. */
  ci: [number, number];
  protocols: number;
  pairs: number;
}

/** The aggregate of per-protocol gains (one array of per-seed gains per protocol; empty ones are left out). */
export function acrossGain(byProtocol: readonly (readonly number[])[], reps: number, seed: number): AcrossGain | null {
  const strata = byProtocol.filter((g) => g.length > 0);
  const pairs = strata.reduce((n, g) => n + g.length, 0);
  if (strata.length < 2 || pairs < 2) return null;
  return { iqm: iqm(strata.flat()), ci: bootstrapCI(strata, iqm, reps, seed), protocols: strata.length, pairs };
}

/**
 * Share of seeds whose gain exceeds each threshold, per protocol, averaged over the protocols that have
 * seeds (each protocol weighs the same, however many seeds it ran). Non-increasing in the threshold.
 */
export function performanceProfile(byProtocol: readonly (readonly number[])[], thresholds: readonly number[]): number[] {
  const strata = byProtocol.filter((g) => g.length > 0);
  return thresholds.map((t) => (strata.length === 0 ? NaN : strata.reduce((s, g) => s + g.filter((x) => x > t).length / g.length, 0) / strata.length));
}

/**
 * Whether an agent's comparison with random keeps its direction across protocols: `cells[j]` is its
 * comparison on protocol `names[j]` (null where it did not run or has under 2 seed pairs).
 */
export function acrossVerdict(cells: readonly (Comparison | null)[], names: readonly string[]): string {
  const on = cells.flatMap((c, j) => (c ? [{ c, name: names[j]! }] : []));
  if (on.length < 2) return on.length === 1 ? `on ${on[0]!.name} only` : '–';
  const up = on.filter(({ c }) => c.resolved && c.meanDiff > 0).map(({ name }) => name);
  const down = on.filter(({ c }) => c.resolved && c.meanDiff < 0).map(({ name }) => name);
  if (up.length > 0 && down.length > 0) return `flips: resolved better on ${up.join(', ')}; resolved worse on ${down.join(', ')}`;
  const ahead = on.filter(({ c }) => c.meanDiff > 0).map(({ name }) => name);
  const behind = on.filter(({ c }) => c.meanDiff < 0).map(({ name }) => name);
  const resolvedOn = (names: string[]) => (names.length > 0 ? `resolved on ${names.join(', ')}` : 'resolved on none');
  if (ahead.length === on.length) return `ahead on all ${on.length} (${resolvedOn(up)})`;
  if (behind.length === on.length) return `behind on all ${on.length} (${resolvedOn(down)})`;
  return `mixed: ahead on ${ahead.join(', ') || 'none'}, behind on ${behind.join(', ') || 'none'} (no resolved flip)`;
}

/** Thresholds of the profile figure: relative gains from −20 % to +20 %. */
export const PROFILE_THRESHOLDS = Array.from({ length: 81 }, (_, i) => -0.2 + i * 0.005);

/** The performance-profile figure: one line per agent. */
export function profileSpec(rows: readonly { agent: string; profile: readonly number[] }[], thresholds: readonly number[]): Spec {
  const values = rows.flatMap((r) => thresholds.map((t, i) => ({ agent: r.agent, gain: Math.round(1000 * t) / 10, share: r.profile[i]! })));
  return {
    $schema: SCHEMA,
    title: 'performance profile: share of seeds beating random by more than x',
    width: 520,
    height: 300,
    data: { values },
    mark: { type: 'line', interpolate: 'step-after' },
    encoding: {
      x: { field: 'gain', type: 'quantitative', title: 'relative AUBC gain over random, x (%)' },
      y: { field: 'share', type: 'quantitative', title: 'share of seeds above x', scale: { domain: [0, 1] } },
      color: { field: 'agent', type: 'nominal', legend: { orient: 'right', labelLimit: 0 } },
    },
  } as Spec;
}
