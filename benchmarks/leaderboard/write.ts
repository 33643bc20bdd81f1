/** Write leaderboard.md, the SVG plots and index.html for run records into a directory. */
import { join } from 'node:path';
import { writeFileAtomic } from '../../env/core/fs.ts';
import { CAMVID_CLASSES } from '../../env/data/dataset.ts';
import { CITYSCAPES_CLASSES } from '../../env/data/cityscapes.ts';
import type { RunRecord } from '../run-record.ts';
import { loadProtocol } from '../protocol.ts';
import { aggregate, type Leaderboard } from './aggregate.ts';
import { classSvg, curveSvg, html, markdown } from './render.ts';

function classNamesFor(protocol: string): readonly string[] {
  try {
    const p = loadProtocol(protocol);
    return [...(p.data.name === 'cityscapes' ? CITYSCAPES_CLASSES : CAMVID_CLASSES), 'void'];
  } catch {
    return [];
  }
}

export function writeLeaderboard(records: readonly RunRecord[], outDir: string, upperBound: number | null = null): Leaderboard {
  const lb = aggregate(records, upperBound);
  const names = classNamesFor(lb.protocol);
  const svgs = [curveSvg(lb), classSvg(lb, names)];
  writeFileAtomic(join(outDir, 'leaderboard.md'), markdown(lb, names));
  writeFileAtomic(join(outDir, 'miou-vs-budget.svg'), svgs[0]!);
  writeFileAtomic(join(outDir, 'labelled-classes.svg'), svgs[1]!);
  writeFileAtomic(join(outDir, 'index.html'), html(lb, names, svgs));
  return lb;
}
