/**
 * The bad-input matrix: every case of scripts/fault-cases.ts in a fresh scratch directory; prints
 * each failure and `N passed, N failed`. `node --import tsx scripts/fault-matrix.ts [filter]`.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FAULT_CASES, runCase } from './fault-cases.ts';

const filter = process.argv[2];
const cases = FAULT_CASES.filter((c) => !filter || c.name.includes(filter));
const root = mkdtempSync(join(tmpdir(), 'regiongym-faults-'));
let passed = 0;
const t0 = performance.now();
for (const [i, c] of cases.entries()) {
  const r = runCase(c, join(root, String(i)));
  if (r.ok) passed++;
  else process.stdout.write(`FAIL ${c.name}: ${r.why}\n    ${r.stderr.split('\n').slice(0, 3).join('\n    ')}\n`);
}
console.log(`${passed} passed, ${cases.length - passed} failed (${cases.length} cases, ${((performance.now() - t0) / 1000).toFixed(0)} s)`);
process.exit(passed === cases.length ? 0 : 1);
