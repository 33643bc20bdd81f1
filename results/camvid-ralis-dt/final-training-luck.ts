/**
 * How much of a run's test mIoU is the final training's luck rather than its labelled set: one
 * trajectory's labelled set (replayed from the sweep's action log up to BUDGET, each step's reward checked
 * against the log) final-trained and tested under the protocol's own rule (early stopping on the reward set,
 * best checkpoint tested) with the sweep's random stream, which must reproduce the published run to the
 * last bit, and with K other streams (batch order and dropout). The spread over streams is the luck of one
 * final training on a fixed set.
 *
 *   node --import tsx results/camvid-ralis-dt/final-training-luck.ts AGENT SEED BUDGET [K [SCHEDULE]] >> results/camvid-ralis-dt/final-training-luck.jsonl
 *   e.g. node --import tsx results/camvid-ralis-dt/final-training-luck.ts random 20 960 3
 *
 * SCHEDULE `linear-decay:E` asks the same of a candidate rule for a later protocol revision instead: E
 * epochs with the learning rate decayed linearly to 0, no early stopping, the last weights tested
 * (stream 0 is then the sweep's stream under that rule, not a reproduction).
 *
 * AGENT is the run record's agentId (random, entropy, dqn@…). Prints one JSON line per stream. Needs
 * REGIONGYM_CAMVID.
 */
import { readFileSync } from 'node:fs';
import { Rng } from '../../core/rng.ts';
import { initCompute } from '../../benchmarks/cli/compute-flags.ts';
import { protocolData, resolveProtocol } from '../../env/make-env.ts';
import { initialModel } from '../../env/start-model.ts';
import { protocolHash } from '../../env/protocol/hash.ts';
import { defaultCacheDir } from '../../env/cache-dir.ts';
import { prepareProtocol } from '../../benchmarks/sweep/prepare.ts';
import { finalTrainAndTest, finalTrainingSetup } from '../../env/final-training.ts';
import { replayLabelledSet } from './replay-labelled-set.ts';

const runs = 'results/camvid-ralis-dt/runs.jsonl';
const [agent, seedArg, budgetArg, kArg, scheduleArg] = process.argv.slice(2);
if (!agent || !seedArg || !budgetArg) throw new Error('usage: AGENT SEED BUDGET [K [linear-decay:EPOCHS]]');
const [seed, budget, k] = [Number(seedArg), Number(budgetArg), Number(kArg ?? 3)];
const fixedEpochs = scheduleArg === undefined ? null : Number(/^linear-decay:(\d+)$/.exec(scheduleArg)?.[1] ?? NaN);
if (fixedEpochs !== null && !(fixedEpochs >= 1)) throw new Error(`SCHEDULE must be linear-decay:EPOCHS, got '${scheduleArg}'`);
const p = resolveProtocol('camvid-ralis-dt');
const hash = protocolHash(p);
const published = readFileSync(runs, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { agentId: string; seed: number; budgetRegions: number; testMIoU: number; protocolHash: string })
  .find((r) => r.agentId === agent && r.seed === seed && r.budgetRegions === budget && r.protocolHash === hash);
if (!published) throw new Error(`no run of ${agent} on seed ${seed} at ${budget} regions in ${runs}`);
const cacheDir = defaultCacheDir();
await initCompute({ backend: 'wasm', inference: 'ort', training: 'ort', threads: 1 } as never);
await prepareProtocol(p, { cacheDir });
const data = protocolData(p, undefined);
const start = (await initialModel(p, data, seed, cacheDir, 'eval'))!;
const { set, close } = await replayLabelledSet(p, data, runs, agent, seed, budget, start, cacheDir, 'luck');
const protocolRule = finalTrainingSetup(p, data);
// the candidate rule: patience = epochs, so every epoch runs and the last weights are tested
const setup = fixedEpochs === null ? protocolRule : { ...protocolRule, rule: { ...protocolRule.rule, schedule: 'linear-decay' as const, epochs: fixedEpochs, patience: fixedEpochs } };
const rule = fixedEpochs === null ? 'protocol' : `linear-decay:${fixedEpochs}`;
const pct = (v: number) => +(100 * v).toFixed(2);
for (let i = 0; i <= k; i++) {
  // stream 0: the sweep's own (benchmarks/sweep/runner/trajectory.ts), then K others
  const stream = i === 0 ? `final/${budget}` : `final/${budget}/luck-${i}`;
  const r = await finalTrainAndTest(start, set, setup, new Rng(seed).fork(stream));
  const line = { protocol: p.name, protocolHash: hash, rule, agent, seed, budget, stream, test: pct(r.test.mIoU), bestVal: pct(r.bestValMIoU), bestEpoch: r.bestEpoch, epochs: r.epochsRun, ...(i === 0 && fixedEpochs === null ? { published: pct(published.testMIoU), reproduced: r.test.mIoU === published.testMIoU } : {}), trainSeconds: +(r.finalTrainMs / 1000).toFixed(1) };
  console.log(JSON.stringify(line));
  process.stderr.write(`${agent} seed ${seed} ${budget} (${rule}): ${stream} test ${line.test} (best epoch ${r.bestEpoch}/${r.epochsRun})\n`);
}
close();
start.dispose();
process.exit(0);
