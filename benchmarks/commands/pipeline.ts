/** `regiongym pipeline` (what `npm start` runs): the end-to-end job on synthetic data. */
import type { Command } from 'commander';
import { initBackend, BACKEND_NAMES, type BackendName } from '../../env/model/backend.ts';
import { loadData } from '../data-source.ts';
import { trainSupervised } from '../train-supervised.ts';
import { choiceOption, intOption } from '../cli-options.ts';

export function registerPipeline(program: Command): void {
  program
    .command('pipeline')
    .description('end-to-end job on synthetic data: supervised upper bound (more stages are added as they land)')
    .option('--seed <n>', 'seed', intOption('--seed'), 0)
    .option('--backend <name>', BACKEND_NAMES.join('|'), choiceOption('--backend', BACKEND_NAMES), 'auto')
    .action(async (o: { seed: number; backend: BackendName }) => {
      const backend = await initBackend(o.backend);
      process.stderr.write(`pipeline on synthetic data, backend ${backend}: about 2 minutes on 2 cores\n`);
      const ds = loadData({ name: 'synthetic', scale: 0.2 });
      const r = await trainSupervised(ds, { epochs: 20, seed: o.seed, train: { lr: 0.01 } });
      console.log(`supervised upper bound: test mIoU ${(100 * r.test.mIoU).toFixed(2)} (${(r.wallMs / 1000).toFixed(0)} s)`);
    });
}
