/**
 * The bad-input matrix: every case of scripts/fault-cases.ts in a fresh scratch directory; prints
 * each failure and `N passed, N failed`. `node --import tsx scripts/fault-matrix.ts [filter]`.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FAULT_CASES, runCase, runCasesConcurrently, runsBesideOthers } from './fault-cases.ts';

const filter = process.argv[2];
const cases = FAULT_CASES.filter((c) => !filter || c.name.includes(filter));
const root = mkdtempSync(join(tmpdir(), 'regiongym-faults-'));
let passed = 0;
const t0 = performance.now();
// refusals a few at a time; the cases that depend on a clock or on earlier work alone, in order
const runs = cases.map((c, i) => ({ c, dir: join(root, String(i)) }));
const together = runs.filter(({ c }) => runsBesideOthers(c));
const results = await Promise.all(runCasesConcurrently(together));
for (const run of runs) {
  const k = together.indexOf(run);
  const r = k >= 0 ? results[k]! : runCase(run.c, run.dir);
  if (r.ok) passed++;
  else process.stdout.write(`FAIL ${run.c.name}: ${r.why}\n    ${r.stderr.split('\n').slice(0, 3).join('\n    ')}\n`);
}
console.log(`${passed} passed, ${cases.length - passed} failed (${cases.length} cases, ${((performance.now() - t0) / 1000).toFixed(0)} s)`);
process.exit(passed === cases.length ? 0 : 1);
