/**
 * The heads' full-supervision bounds as a markdown table: mean ± std of test mIoU over the seeds run,
 * per-class IoU means, epochs and wall time. `node --import tsx results/camvid-heads/table.ts`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CAMVID_CLASSES } from '../../env/data/dataset.ts';

const dir = new URL('.', import.meta.url).pathname;
const pct = (v: number) => (100 * v).toFixed(1);
const heads = ['linear', 'mlp64', 'mlp256'];
type Result = { test: { mIoU: number; perClassIoU: number[] }; val: { mIoU: number }; bestEpoch: number; epochsRun: number; wallMs: number };
const rows: string[] = [];
const classNames: readonly string[] = CAMVID_CLASSES;
const perClass: string[] = [];
for (const head of heads) {
  const rs: Result[] = [0, 1, 2].map((s) => join(dir, `${head}-seed${s}`, 'result.json')).filter(existsSync).map((f) => JSON.parse(readFileSync(f, 'utf8')));
  if (rs.length === 0) continue;
  const m = rs.map((r) => r.test.mIoU);
  const mean = m.reduce((a, b) => a + b, 0) / m.length;
  const std = m.length > 1 ? Math.sqrt(m.reduce((a, x) => a + (x - mean) ** 2, 0) / (m.length - 1)) : NaN;
  rows.push(`| ${head} | ${rs.length} | ${pct(mean)}${m.length > 1 ? ` ± ${pct(std)}` : ''} | ${m.map(pct).join(', ')} | ${rs.map((r) => pct(r.val.mIoU)).join(', ')} | ${rs.map((r) => `${r.bestEpoch}/${r.epochsRun}`).join(', ')} | ${rs.map((r) => (r.wallMs / 1000).toFixed(0)).join(', ')} |`);
  perClass.push(`| ${head} | ${rs[0]!.test.perClassIoU.map((_, c) => pct(rs.reduce((a, r) => a + r.test.perClassIoU[c]!, 0) / rs.length)).join(' | ')} |`);
}
console.log('| head | seeds | test mIoU (%) mean ± std | per seed | val mIoU (%) of the kept checkpoint | best / run epochs | wall s (beside other jobs) |');
console.log('|---|---|---|---|---|---|---|');
for (const r of rows) console.log(r);
console.log('');
console.log(`| head | ${classNames.join(' | ')} |`);
console.log(`|---|${classNames.map(() => '---').join('|')}|`);
for (const r of perClass) console.log(r);
