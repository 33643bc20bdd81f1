/**
 * `regiongym prepare`: the work every shard of a sweep shares, done once before submitting: the
 * learner's features (encoded, or read back) into the feature cache and the pre-trained starting
 * models of the seeds. Shards then read both instead of each computing them.
 */
import type { Command } from 'commander';
import { featureProgress } from '../progress.ts';
import { resolveProtocol } from '../../../env/make-env.ts';
import { defaultCacheDir } from '../../../env/cache-dir.ts';
import { intListOption } from '../options.ts';
import { addComputeOptions, initCompute, type ComputeOptions } from '../compute-flags.ts';
import { prepareProtocol } from '../../sweep/prepare.ts';
import { initialModel } from '../../../env/start-model.ts';

interface Opts extends ComputeOptions {
  protocol: string;
  seeds?: number[];
  root?: string;
  cacheDir: string;
}

export function registerPrepare(program: Command): void {
  const cmd = program
    .command('prepare')
    .description("compute a protocol's shared inputs once: encoder features (feature cache) and the seeds' pre-trained starting models")
    .option('--protocol <name|file>', 'registered id, shipped protocol name or protocol file', 'synthetic-quick')
    .option('--seeds <list>', "seeds whose starting models to pre-train (default: the protocol's)", intListOption('--seeds'))
    .option('--root <dir>', 'data folder of a real data set')
    .option('--cache-dir <dir>', 'learner cache shared by the shards', defaultCacheDir());
  addComputeOptions(cmd).action(async (o: Opts) => {
    await initCompute(o);
    const p = resolveProtocol(o.protocol);
    const t0 = performance.now();
    const data = await prepareProtocol(p, { dataRoot: o.root, cacheDir: o.cacheDir, threads: o.threads, onProgress: featureProgress() });
    for (const seed of o.seeds ?? p.seeds)
      for (const phase of ['eval', 'policy'] as const) {
        const m = await initialModel(p, data, seed, o.cacheDir, phase);
        m?.dispose();
      }
    console.log(`prepared ${p.name} in ${((performance.now() - t0) / 1000).toFixed(1)} s; cache ${o.cacheDir}`);
  });
}
