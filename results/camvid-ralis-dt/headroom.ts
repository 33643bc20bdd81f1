/**
 * How much camvid-ralis-dt's labels can add: per seed, the test mIoU of the start model (the MLP-64
 * head trained on D_T alone, from the learner cache) and of the protocol's final training from it on
 * every region of D_V (the bound) and on a seeded random subset of n regions.
 *
 *   node --import tsx results/camvid-ralis-dt/headroom.ts [PROTOCOL.json] SEEDS [N] [RULE-JSON] [SETS]
 *   e.g. node --import tsx results/camvid-ralis-dt/headroom.ts 20,50,82,12 960
 *
 * PROTOCOL.json: another protocol of the same regime (default camvid-ralis-dt), e.g. another head.
 *
 * RULE-JSON overrides the protocol's finalTraining (e.g. '{"epochs":100,"patience":20,"lr":0.0001}'; '-':
 * the protocol's). SETS: 'both' (default), 'all' (every region of D_V only) or 'subset' (the random N only).
 * Prints one JSON line per seed and set. Needs the CamVid folder (REGIONGYM_CAMVID).
 */
import { Rng } from '../../core/rng.ts';
import { initCompute } from '../../benchmarks/cli/compute-flags.ts';
import { resolveProtocol } from '../../env/make-env.ts';
import { prepareProtocol } from '../../benchmarks/sweep/prepare.ts';
import { initialModel } from '../../env/start-model.ts';
import { getSplit } from '../../env/data/dataset.ts';
import { makeGrid } from '../../env/regions.ts';
import { LabelledSet } from '../../env/labelled-set.ts';
import { finalTrainAndTest, finalTrainingSetup } from '../../env/final-training.ts';
import { segMetrics } from '../../env/metrics.ts';
import { confusionOf } from '../../env/learners/evaluate.ts';
import { defaultCacheDir } from '../../env/cache-dir.ts';

const args = process.argv.slice(2);
const p = resolveProtocol(args[0]?.endsWith('.json') ? args.shift()! : 'camvid-ralis-dt');
const seeds = (args[0] ?? '20,50,82').split(',').map(Number);
const subset = args[1] ? Number(args[1]) : null;
const rule = args[2] && args[2] !== '-' ? JSON.parse(args[2]) : p.finalTraining;
const sets = args[3] ?? 'both';
if (!['both', 'all', 'subset'].includes(sets)) throw new Error(`SETS must be both, all or subset, got '${sets}'`);
await initCompute({ backend: 'wasm', inference: 'ort', training: 'ort', threads: 1 } as never);
const cacheDir = defaultCacheDir();
const ds = await prepareProtocol(p, { cacheDir });
const pool = getSplit(ds, p.splits.evalPool);
const grid = makeGrid(ds.height, ds.width, p.regions.height, p.regions.width);
const all = Array.from({ length: pool.length * grid.perImage }, (_, id) => id);
const pct = (v: number) => +(100 * v).toFixed(2);
for (const seed of seeds) {
  const start = (await initialModel(p, ds, seed, cacheDir, 'eval'))!;
  console.log(JSON.stringify({ protocol: p.name, seed, set: 'start (D_T only)', test: pct(segMetrics(await confusionOf(start, getSplit(ds, p.splits.test), p.inferenceBatch)).mIoU) }));
  for (const [name, ids] of [...(sets !== 'subset' ? [['all of D_V', all]] : []), ...(subset && sets !== 'all' ? [[`random ${subset} of D_V`, new Rng(seed).fork(`subset-${subset}`).shuffle([...all]).slice(0, subset)]] : [])] as [string, number[]][]) {
    const set = new LabelledSet(grid, pool, ids, ds.numClasses, ds.ignoreIndex);
    // the same random stream as train-supervised --protocol-rule for the whole pool
    const r = await finalTrainAndTest(start, set, finalTrainingSetup({ ...p, finalTraining: rule }, ds), new Rng(seed).fork('final/all'));
    console.log(JSON.stringify({ protocol: p.name, seed, set: name, rule, test: pct(r.test.mIoU), bestVal: pct(r.bestValMIoU), bestEpoch: r.bestEpoch, epochs: r.epochsRun, trainS: +(r.finalTrainMs / 1000).toFixed(1) }));
  }
  start.dispose();
}
process.exit(0);
