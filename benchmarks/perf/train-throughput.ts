/**
 * Training throughput of UNet-S (images/s) on one backend: SGD steps on batches of 16 crops of 64×64
 * from synthetic scenes. `node --import tsx benchmarks/train-throughput.ts --backend wasm|cpu [--steps 5]`.
 */
import { Command } from 'commander';
import { initBackend, BACKEND_NAMES, type BackendName } from '../../compute/tfjs/backend.ts';
import { Rng } from '../../core/rng.ts';
import { createLearner } from '../../env/learners/registry.ts';
import { DEFAULT_SEG_TRAIN } from '../../env/learners/train-settings.ts';
import { makeSyntheticDataset } from '../../env/data/synthetic.ts';
import { choiceOption, intOption } from '../cli/options.ts';

const o = new Command()
  .option('--backend <name>', BACKEND_NAMES.join('|'), choiceOption('--backend', BACKEND_NAMES), 'wasm')
  .option('--steps <n>', 'timed SGD steps after one warm-up', intOption('--steps', 1), 5)
  .parse(process.argv)
  .opts<{ backend: BackendName; steps: number }>();
const backend = await initBackend(o.backend);
const ds = makeSyntheticDataset({ seed: 0, height: 72, width: 96, counts: { d_t: 16, d_s: 1, d_v: 1, val: 1, test: 1 } });
const items = ds.splits.d_t!.map((s) => ({ sample: s, label: s.label }));
const model = await createLearner({ name: 'unet-s' }, { data: ds, cacheDir: null, train: { ...DEFAULT_SEG_TRAIN, batchSize: 16, cropHeight: 64, cropWidth: 64 } }, new Rng(0));
const rng = new Rng(1);
await model.trainEpoch(items, rng);
const t0 = performance.now();
for (let i = 0; i < o.steps; i++) await model.trainEpoch(items, rng);
const s = (performance.now() - t0) / 1000;
console.log(JSON.stringify({ backend, imagesPerSec: (16 * o.steps) / s, msPerStep: (1000 * s) / o.steps, batch: 16, crop: 64 }));
model.dispose();
