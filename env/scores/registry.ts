/** Per-region scores by name. A new one is one file plus one line here. */
import { ConfigError } from '../../core/errors.ts';
import type { RegionScore } from './score.ts';
import { entropyScore } from './entropy.ts';
import { baldScore } from './bald.ts';
import { marginScore } from './margin.ts';
import { secondOverFirstScore } from './second-over-first.ts';
import { dominantClassScore } from './dominant-class.ts';
import { impurityScore } from './impurity.ts';
import { regionEmbeddingScore } from './region-embedding.ts';
import { gradientEmbeddingScore } from './gradient-embedding.ts';

const scores = new Map<string, RegionScore>();

export function registerScore(s: RegionScore): void {
  scores.set(s.name, s);
}

export function regionScore(name: string): RegionScore {
  const s = scores.get(name);
  if (!s) throw new ConfigError(`unknown region score '${name}': the env computes ${[...scores.keys()].join(', ')}`);
  return s;
}

export function scoreNames(): string[] {
  return [...scores.keys()];
}

for (const s of [entropyScore, baldScore, marginScore, secondOverFirstScore, dominantClassScore, impurityScore, regionEmbeddingScore, gradientEmbeddingScore]) registerScore(s);
