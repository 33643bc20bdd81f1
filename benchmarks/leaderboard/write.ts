/** Write leaderboard.md, the SVG plots and index.html for run records into a directory. */
import { join } from 'node:path';
import { writeFileAtomic } from '../../env/core/fs.ts';
import { CAMVID_CLASSES } from '../../env/data/dataset.ts';
import { CITYSCAPES_CLASSES } from '../../env/data/cityscapes.ts';
import type { RunRecord } from '../run-record.ts';
import { loadProtocol } from '../../env/protocol/load.ts';
import { aggregate, type Leaderboard } from './aggregate.ts';
import { classSvg, curveSvg, html, markdown } from './render.ts';

/** Class names (+ void) from the records' protocol when it is a shipped one, else from the class count. */
function classNamesFor(protocol: string, numClasses: number): readonly string[] {
  let dataName: string | null = null;
  try {
    dataName = loadProtocol(protocol).data.name;
  } catch {
    // a protocol file that is not shipped (e.g. results/camvid/protocol.json): go by the class count
  }
  const names = dataName === 'cityscapes' || (dataName === null && numClasses === CITYSCAPES_CLASSES.length) ? CITYSCAPES_CLASSES : CAMVID_CLASSES;
  return names.length === numClasses ? [...names, 'void'] : [];
}

export function writeLeaderboard(records: readonly RunRecord[], outDir: string, upperBound: number | null = null): Leaderboard {
  const lb = aggregate(records, upperBound);
  const names = classNamesFor(lb.protocol, records[0]?.testPerClassIoU.length ?? 0);
  const svgs = [curveSvg(lb), classSvg(lb, names)];
  writeFileAtomic(join(outDir, 'leaderboard.md'), markdown(lb, names));
  writeFileAtomic(join(outDir, 'miou-vs-budget.svg'), svgs[0]!);
  writeFileAtomic(join(outDir, 'labelled-classes.svg'), svgs[1]!);
  writeFileAtomic(join(outDir, 'index.html'), html(lb, names, svgs));
  return lb;
}
