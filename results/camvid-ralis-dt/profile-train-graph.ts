/**
 * Where the head's native training graph spends its time (issue 37): onnxruntime's per-operator profile of
 * one fully labelled camvid-ralis-dt image as the tiling runs it (48×64 grid, 360×480 pixels: 4 tiles of
 * 48×16 cells, each with a 2-cell margin at the sides; a middle tile's geometry for all four), at 656, 256
 * and 128 input channels (the reduction.ts question), on 1 thread, random inputs of the right shapes.
 *
 *   node --import tsx results/camvid-ralis-dt/profile-train-graph.ts
 *
 * Prints per F the median wall time of a run (15 after 3 warm-ups) and each operator type's share of the
 * kernel time. Timings are this machine's; shares are what to read when other jobs share the cores.
 */
import * as ort from 'onnxruntime-node';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { headTrainModel, type TrainWindow } from '../../env/learners/frozen-encoder/native-train.ts';
import { sessionOptions } from '../../compute/ort/host.ts';
import { Rng } from '../../core/rng.ts';
import { encodeHalf } from '../../nn/float16.ts';

const rng = new Rng(1);
const dir = mkdtempSync(join(tmpdir(), 'regiongym-profile-'));
const C = 11, H = 64;
// a middle tile: 16 cells wide plus 2 each side; whole height (no margin rows needed)
const win: TrainWindow = { rows: { cells: 48, outputs: 360, o0: 0, o1: 360 }, cols: { cells: 20, outputs: 150, o0: 15, o1: 135 } };
const T = 4;
const n = 48 * 20, kh = 360, kw = 120;
for (const F of [656, 256, 128]) {
  const model = headTrainModel({ inputs: F, hidden: H, classes: C, dropoutRate: 0.2 } as never, win);
  const prefix = join(dir, `f${F}`);
  const s = await ort.InferenceSession.create(model, { ...sessionOptions(1), enableProfiling: true, profileFilePrefix: prefix });
  const rand = (k: number, a: number) => Float32Array.from({ length: k }, () => (rng.next() - 0.5) * a);
  const feeds = {
    features: new ort.Tensor('float16', encodeHalf(rand(T * n * F, 2)) as Uint16Array, [T, n, F]),
    multiplier: new ort.Tensor('float32', new Float32Array(T * F).fill(1), [T, 1, F]),
    labels: new ort.Tensor('int32', Int32Array.from({ length: T * kh * kw }, () => Math.floor(rng.next() * C)), [T, kh, kw]),
    scale: new ort.Tensor('float32', new Float32Array([1 / (T * kh * kw)]), []),
    w1: new ort.Tensor('float32', rand(F * H, 0.1), [F, H]),
    b1: new ort.Tensor('float32', rand(H, 0.1), [H]),
    w2: new ort.Tensor('float32', rand(H * C, 0.1), [H, C]),
    b2: new ort.Tensor('float32', rand(C, 0.1), [C]),
  };
  for (let i = 0; i < 3; i++) await s.run(feeds);
  const times: number[] = [];
  for (let i = 0; i < 15; i++) { const t0 = performance.now(); await s.run(feeds); times.push(performance.now() - t0); }
  s.endProfiling();
  await s.release();
  const file = join(dir, readdirSync(dir).find((f) => f.startsWith(`f${F}_`))!);
  const events = JSON.parse(readFileSync(file, 'utf8')) as { cat: string; name: string; dur: number; args?: { op_name?: string } }[];
  const byOp = new Map<string, number>();
  let total = 0;
  for (const e of events) if (e.cat === 'Node' && e.name.endsWith('_kernel_time')) { const op = e.args?.op_name ?? '?'; byOp.set(op, (byOp.get(op) ?? 0) + e.dur); total += e.dur; }
  const runs = 18; // the warm-ups are profiled too
  times.sort((a, b) => a - b);
  console.log(`F=${F}: run (4 tiles = one fully labelled image) median ${times[7]!.toFixed(1)} ms [${times[0]!.toFixed(1)}–${times[14]!.toFixed(1)}], kernel sum ${(total / runs / 1000).toFixed(1)} ms`);
  for (const [op, d] of [...byOp].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(`  ${op.padEnd(14)} ${(d / runs / 1000).toFixed(2)} ms  ${(100 * d / total).toFixed(0)} %`);
  rmSync(file);
}
rmSync(dir, { recursive: true });
