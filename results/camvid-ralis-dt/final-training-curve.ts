/**
 * Per-epoch reward-set (val) and test mIoU of the final training on one trajectory's labelled set, with
 * and without the start's split (D_T) in every epoch: the evidence for finalTraining.withStartSplit
 * (final-training-curves.jsonl). The labelled set is the sweep's own: the trajectory is replayed from its
 * action log (each step's reward checked against the log) up to BUDGET.
 *
 *   node --import tsx results/camvid-ralis-dt/final-training-curve.ts RUNS PROTOCOL.json AGENT SEED BUDGET [EPOCHS]
 *   e.g. node --import tsx results/camvid-ralis-dt/final-training-curve.ts \
 *          results/camvid-ralis-dt/superseded/dv-only-final/runs.jsonl \
 *          results/camvid-ralis-dt/superseded/dv-only-final/protocol.json random 20 720 20
 *
 * Prints one JSON line per variant. No early stopping: every epoch is measured. Needs REGIONGYM_CAMVID.
 */
import { Rng } from '../../core/rng.ts';
import { initCompute } from '../../benchmarks/cli/compute-flags.ts';
import { protocolData, resolveProtocol } from '../../env/make-env.ts';
import { initialModel, fullItems } from '../../env/start-model.ts';
import { protocolHash } from '../../env/protocol/hash.ts';
import { defaultCacheDir } from '../../env/cache-dir.ts';
import { prepareProtocol } from '../../benchmarks/sweep/prepare.ts';
import { finalTrainingSetup } from '../../env/final-training.ts';
import { replayLabelledSet } from './replay-labelled-set.ts';
import { segMetrics } from '../../env/metrics.ts';
import { confusionOf } from '../../env/learners/evaluate.ts';

const [runs, protocolFile, agent, seedArg, budgetArg, epochsArg] = process.argv.slice(2);
if (!runs || !protocolFile || !agent || !seedArg || !budgetArg) throw new Error('usage: RUNS PROTOCOL.json AGENT SEED BUDGET [EPOCHS]');
const [seed, budget, epochs] = [Number(seedArg), Number(budgetArg), Number(epochsArg ?? 20)];
const p = resolveProtocol(protocolFile);
const cacheDir = defaultCacheDir();
await initCompute({ backend: 'wasm', inference: 'ort', training: 'ort', threads: 1 } as never);
await prepareProtocol(p, { cacheDir });
const data = protocolData(p, undefined);
const hash = protocolHash(p);
const start = (await initialModel(p, data, seed, cacheDir, 'eval'))!;
const { set, close } = await replayLabelledSet(p, data, runs, agent, seed, budget, start, cacheDir, 'curve');
// the sets the protocol's final training uses, with the start's split whatever the protocol says
const setup = finalTrainingSetup({ ...p, finalTraining: { ...p.finalTraining, withStartSplit: true } }, data);
const startSplit = fullItems(setup.alongside!);
const [val, test] = [setup.rewardSet, setup.testSet];
const rule = p.finalTraining;
for (const withStartSplit of [false, true]) {
  const m = start.clone({ ...(rule.lr !== undefined ? { lr: rule.lr } : {}), ...(rule.batchSize !== undefined ? { batchSize: rule.batchSize } : {}) });
  const score = async (s: typeof val) => +(100 * segMetrics(await confusionOf(m, s, p.inferenceBatch)).mIoU).toFixed(2);
  const rng = new Rng(seed).fork(`final/${budget}`); // the sweep's stream for this budget
  const points = [{ epoch: 0, val: await score(val), test: await score(test) }];
  for (let e = 1; e <= epochs; e++) {
    await m.trainEpoch(withStartSplit ? [...startSplit, ...set.wholeImages()] : set.wholeImages(), rng);
    points.push({ epoch: e, val: await score(val), test: await score(test) });
    process.stderr.write(`${withStartSplit ? 'with' : 'without'} ${p.initialModel.evaluation}: epoch ${e}/${epochs} val ${points.at(-1)!.val} test ${points.at(-1)!.test}\n`);
  }
  console.log(JSON.stringify({ protocol: p.name, protocolHash: hash, agent, seed, budget, withStartSplit, rule, epochs: points }));
  m.dispose();
}
close();
start.dispose();
process.exit(0);
