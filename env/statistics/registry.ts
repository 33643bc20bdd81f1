/** Statistics by name. A new one is one file plus one line here. */
import { ConfigError } from '../../core/errors.ts';
import type { Statistic } from './statistic.ts';
import { entropyStatistic } from './entropy.ts';
import { baldStatistic } from './bald.ts';
import { marginStatistic } from './margin.ts';
import { secondOverFirstStatistic } from './second-over-first.ts';
import { dominantClassStatistic } from './dominant-class.ts';
import { impurityStatistic } from './impurity.ts';
import { regionEmbeddingStatistic } from './region-embedding.ts';
import { gradientEmbeddingStatistic } from './gradient-embedding.ts';

const statistics = new Map<string, Statistic>();

export function registerStatistic(s: Statistic): void {
  statistics.set(s.name, s);
}

export function statistic(name: string): Statistic {
  const s = statistics.get(name);
  if (!s) throw new ConfigError(`unknown statistic '${name}': the env computes ${[...statistics.keys()].join(', ')}`);
  return s;
}

export function statisticNames(): string[] {
  return [...statistics.keys()];
}

for (const s of [entropyStatistic, baldStatistic, marginStatistic, secondOverFirstStatistic, dominantClassStatistic, impurityStatistic, regionEmbeddingStatistic, gradientEmbeddingStatistic]) registerStatistic(s);
