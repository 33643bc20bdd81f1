/** `regiongym train-supervised`: the full-supervision upper bound, with a progress bar. */
import { learnerSpecOf } from '../../../env/learners/registry.ts';
import type { Command } from 'commander';
import { ConfigError } from '../../../core/errors.ts';
import { SingleBar, Presets } from 'cli-progress';
import { Subject } from 'rxjs';
import { writeFileAtomic } from '../../../core/fs.ts';
import { loadData, DATA_NAMES, type DataName } from '../../../env/data/registry.ts';
import { protocolData, resolveProtocol, segTrainConfig } from '../../../env/make-env.ts';
import { DEFAULT_SEG_TRAIN } from '../../../env/learners/train-settings.ts';
import { defaultCacheDir } from '../../../env/cache-dir.ts';
import { protocolUpperBound, trainSupervised, type SupervisedEpochEvent } from '../../../env/full-supervision.ts';
import { choiceOption, floatOption, intOption, SEED_MAX } from '../options.ts';
import { addComputeOptions, initCompute, type ComputeOptions } from '../compute-flags.ts';
import { join } from 'node:path';

interface Opts extends ComputeOptions {
  protocol?: string;
  data: DataName;
  scale: number;
  root?: string;
  epochs: number;
  seed: number;
  lr: number;
  batch: number;
  crop: number;
  patience?: number;
  out?: string;
  protocolRule: boolean;
  cacheDir: string;
}

export function registerTrainSupervised(program: Command): void {
  const cmd = program
    .command('train-supervised')
    .description('train the segmentation net on all labels of the train split; prints test mIoU and per-class IoU')
    .option('--protocol <name|file>', "use a protocol's data set and splits (its test split is the leaderboard's)")
    .option('--data <name>', `data set: ${DATA_NAMES.join('|')}`, choiceOption('--data', DATA_NAMES), 'synthetic')
    .option('--scale <f>', 'resize factor of the 480×360 native size (synthetic too)', floatOption('--scale', 0.05, 1), 0.2)
    .option('--root <dir>', 'data folder (camvid: defaults to $REGIONGYM_CAMVID)')
    .option('--epochs <n>', 'training epochs', intOption('--epochs', 1), 20)
    .option('--seed <n>', 'seed of every random draw', intOption('--seed', 0, SEED_MAX), 0)
    .option('--lr <f>', 'SGD learning rate', floatOption('--lr', 0, 10), 0.01)
    .option('--batch <n>', 'batch size', intOption('--batch', 1, 4096), 16)
    .option('--crop <n>', 'square training crop (multiple of 4)', intOption('--crop', 4, 4096), 64)
    .option('--patience <n>', 'stop after n epochs without a better val mIoU', intOption('--patience', 1))
    .option('--protocol-rule', "with --protocol: the bound its agents are held to — the protocol's own start model final-trained under its own rule on every region of the evaluation pool", false)
    .option('--out <dir>', 'save the best model (model.json + weights.bin) and result.json here')
    .option('--cache-dir <dir>', 'learner cache (encoder features, pre-trained weights)', defaultCacheDir());
  addComputeOptions(cmd).action(async (o: Opts) => {
    const { backend, inference, training } = await initCompute(o);
    const protocol = o.protocol ? resolveProtocol(o.protocol) : null;
    const ds = protocol ? protocolData(protocol, o.root) : loadData({ name: o.data, scale: o.scale, root: o.root });
    // with a protocol: its learner and training settings, but for the flags given on the command line
    const given = (flag: string) => cmd.getOptionValueSource(flag) === 'cli';
    const base = protocol ? segTrainConfig(protocol) : { ...DEFAULT_SEG_TRAIN, lr: o.lr, batchSize: o.batch, cropHeight: o.crop, cropWidth: o.crop };
    const train = { ...base, ...(given('lr') ? { lr: o.lr } : {}), ...(given('batch') ? { batchSize: o.batch } : {}), ...(given('crop') ? { cropHeight: o.crop, cropWidth: o.crop } : {}) };
    const model = learnerSpecOf(protocol?.model);
    // a protocol whose final training decays linearly trains its upper bound the same way (over --epochs, last weights)
    const ft = protocol?.finalTraining;
    const decay = ft?.schedule === 'linear-decay' && !given('lr') ? { lr: ft.lr ?? train.lr, ...(ft.batchSize !== undefined && !given('batch') ? { batchSize: ft.batchSize } : {}) } : null;
    if (decay) Object.assign(train, decay);
    if (o.protocolRule && !protocol) throw new ConfigError('--protocol-rule needs --protocol');
    const epochs = protocol && o.protocolRule ? protocol.finalTraining.epochs : o.epochs;
    const what = protocol && o.protocolRule
      ? `the bound of protocol ${protocol.name}: its start model (initialModel.evaluation = ${protocol.initialModel.evaluation}) final-trained under the protocol's rule on every region of ${protocol.splits.evalPool} (${ds.splits[protocol.splits.evalPool]?.length} images)${protocol.finalTraining.withStartSplit ? ` and every image of ${protocol.initialModel.evaluation}` : ''}, at most ${epochs} epochs, patience ${protocol.finalTraining.patience}`
      : `${ds.splits.train?.length} train images, ${epochs} epochs`;
    process.stderr.write(`train-supervised: ${ds.name} ${ds.height}×${ds.width}, ${what}, learner ${model.name}, backend ${backend}, inference ${inference}, training ${training} (learners with native training graphs)\n`);
    // a bar on a terminal; one line per epoch in logs and CI
    const tty = process.stderr.isTTY === true;
    const bar = tty ? new SingleBar({ format: 'epoch {value}/{total} |{bar}| loss {loss} val mIoU {val} (best {best}) eta {eta_formatted}', stream: process.stderr }, Presets.shades_classic) : null;
    const events = new Subject<SupervisedEpochEvent>();
    bar?.start(epochs, 0, { loss: '-', val: '-', best: '-' });
    events.subscribe((e) => {
      // keep-last training (linear decay) validates only at the end: no per-epoch figure to show
      const pct = (v: number) => (Number.isNaN(v) ? '–' : (100 * v).toFixed(1));
      const fields = { loss: e.loss.toFixed(3), val: pct(e.valMIoU), best: pct(e.bestValMIoU) };
      if (bar) bar.update(e.epoch, fields);
      else process.stderr.write(`epoch ${e.epoch}/${e.epochs}: loss ${fields.loss}${Number.isNaN(e.valMIoU) ? '' : `, val mIoU ${fields.val} % (best ${fields.best} %)`}, ${(e.epochMs / 1000).toFixed(1)} s\n`);
    });
    const r = protocol && o.protocolRule
      ? await protocolUpperBound(protocol, ds, o.seed, o.cacheDir, events)
      : await trainSupervised(ds, { epochs: o.epochs, seed: o.seed, patience: o.patience, outDir: o.out, model, train, cacheDir: o.cacheDir, linearDecay: decay !== null }, events);
    bar?.stop();
    // with --protocol the data set comes from the protocol: record that, not the unused --data/--scale defaults
    const options = o.protocol ? { ...o, data: undefined, scale: undefined, train } : { ...o, train };
    const summary = { ...r, backend, inference, options }; // r.training: the engine the learner's gradients ran on
    if (o.out) writeFileAtomic(join(o.out, 'result.json'), JSON.stringify(summary, null, 1));
    console.log(`test mIoU ${(100 * r.test.mIoU).toFixed(2)}  pixel acc ${(100 * r.test.pixelAccuracy).toFixed(2)}  (best epoch ${r.bestEpoch}/${r.epochsRun}, ${(r.wallMs / 1000).toFixed(1)} s, ${r.trainImagesPerSec.toFixed(1)} train images/s on ${backend})`);
    console.log('per-class IoU:');
    r.test.perClassIoU.forEach((v, c) => console.log(`  ${ds.classNames[c]!.padEnd(12)} ${Number.isNaN(v) ? '  n/a' : (100 * v).toFixed(2)}`));
  });
}
