/** Checks a command runs before any training starts, so a bad value fails in seconds, not hours. */
import { ConfigError } from '../../core/errors.ts';
import type { SegDataset } from '../../env/data/dataset.ts';
import { getSplit } from '../../env/data/dataset.ts';
import type { Protocol } from '../../env/protocol/load.ts';
import { makeGrid } from '../../env/regions.ts';
import { learnerFactory, learnerSpecOf } from '../../env/learners/registry.ts';

/** Every budget a positive multiple of K and within the evaluation pool's regions; the grid tiles the images. */
export function checkBudgets(p: Protocol, data: SegDataset, budgets: readonly number[]): void {
  const g = makeGrid(data.height, data.width, p.regions.height, p.regions.width);
  const poolRegions = getSplit(data, p.splits.evalPool).length * g.perImage;
  if (p.poolsPerStep > poolRegions) throw new ConfigError(`poolsPerStep = ${p.poolsPerStep} is more than the ${poolRegions} regions of the evaluation pool '${p.splits.evalPool}'`);
  for (const b of budgets) {
    if (!Number.isInteger(b) || b < 1) throw new ConfigError(`budget ${b}: must be a positive number of regions`);
    if (b % p.poolsPerStep !== 0) throw new ConfigError(`budget ${b} is not a multiple of poolsPerStep = ${p.poolsPerStep} (the env labels whole steps)`);
    if (b > poolRegions) throw new ConfigError(`budget ${b} is more than the ${poolRegions} regions of the evaluation pool '${p.splits.evalPool}'`);
  }
}

/** The protocol with its learner's disk caches turned off (--no-feature-cache), as the learner says how. */
export function withoutFeatureCache(p: Protocol): Protocol {
  const spec = learnerSpecOf(p.model);
  const off = learnerFactory(spec.name).withoutDiskCache;
  return off ? { ...p, model: off(spec) } : p;
}
