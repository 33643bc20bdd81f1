import { expect } from 'chai';
import { join } from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';
import { loadProtocol, parseProtocol, type Protocol } from '../env/protocol/load.ts';
import { runTrajectory } from '../benchmarks/sweep/runner/trajectory.ts';
import { parseAgentList } from '../agents/registry.ts';
import { planBench, runBench, runBenchToEnd } from '../benchmarks/sweep/sweep.ts';
import { lastValueFrom, toArray } from 'rxjs';
import type { RunRecord } from '../benchmarks/sweep/run-record.ts';
import { tempDir } from './helpers.ts';
import { checkReplayedStep, readActionLog, whatChanged, type ActionLog } from '../benchmarks/sweep/runner/action-log.ts';
import { machineFingerprint } from '../compute/machine.ts';
import { ActionLogError, StopRequestedError } from '../core/errors.ts';

/** synthetic-quick shrunk to 48×36 images (6 regions each) so that a whole sweep takes seconds. */
function tinyProtocol(): Protocol {
  const p = structuredClone(loadProtocol('synthetic-quick'));
  return parseProtocol({
    ...p,
    name: 'tiny',
    data: { name: 'synthetic', scale: 0.1, synthetic: { seed: 1, counts: { d_t: 3, d_s: 1, d_v: 4, val: 2, test: 2 } } },
    poolsPerStep: 3,
    poolSize: { policy: 3, eval: 3 },
    budgets: [6, 12],
    policyBudget: 6,
    seeds: [1, 2],
    segmentation: { ...p.segmentation, crop: 16, batchSize: 4 },
    initialModel: { evaluation: 'pretrained-policy-pool', pretrainEpochs: 1 },
    finalTraining: { epochs: 3, patience: 2 },
    baldPasses: 2,
  });
}

const strip = (r: RunRecord) => ({ ...r, timings: null, finishedAt: null });

describe('benchmark runner', function () {
  this.timeout(300000);

  it('budgets sharing one labelling trajectory give the same numbers as separate runs', async () => {
    const protocol = tinyProtocol();
    for (const agent of parseAgentList('entropy,bald')) {
      const shared: RunRecord[] = [];
      const separate: RunRecord[] = [];
      await runTrajectory({ protocol, agent, seed: 1, budgets: [6, 12], backend: 'wasm', inference: 'tfjs', training: 'tfjs', cacheDir: null, onRecord: (r) => shared.push(r) });
      await runTrajectory({ protocol, agent, seed: 1, budgets: [12], backend: 'wasm', inference: 'tfjs', training: 'tfjs', cacheDir: null, onRecord: (r) => separate.push(r) });
      expect(shared.map((r) => r.budgetRegions)).to.deep.equal([6, 12]);
      expect(strip(shared[1]!)).to.deep.equal(strip(separate[0]!));
      expect(shared[0]!.testMIoU).to.not.equal(undefined);
    }
  });

  it("finalTraining.from = 'start-model': a budget's result depends only on the labelled regions, not on how the labelling loop trained", async () => {
    // random picks the same regions whatever the model; two labelling loops that train differently
    const runs = async (from: 'labelled-model' | 'start-model', epochsPerStep: number) => {
      const base = tinyProtocol();
      const protocol = parseProtocol({ ...base, segmentation: { ...base.segmentation, epochsPerStep }, finalTraining: { ...base.finalTraining, from } });
      const records: RunRecord[] = [];
      await runTrajectory({ protocol, agent: parseAgentList('random')[0]!, seed: 1, budgets: [6, 12], backend: 'wasm', inference: 'tfjs', training: 'tfjs', cacheDir: null, onRecord: (r) => records.push(r) });
      return records.map((r) => [r.overlayRegions, r.testMIoU]);
    };
    const [a, b] = [await runs('start-model', 1), await runs('start-model', 3)];
    expect(a).to.deep.equal(b);
    // segmentation.loop: the loop trains its own way (here 10× the rate), the start model and the results stay
    const base = tinyProtocol();
    const looped = parseProtocol({ ...base, segmentation: { ...base.segmentation, loop: { lr: 10 * base.segmentation.lr, batchSize: 2 } }, finalTraining: { ...base.finalTraining, from: 'start-model' } });
    const plain = parseProtocol({ ...base, finalTraining: { ...base.finalTraining, from: 'start-model' } });
    const run = async (protocol: Protocol) => {
      const records: RunRecord[] = [];
      await runTrajectory({ protocol, agent: parseAgentList('random')[0]!, seed: 1, budgets: [6, 12], backend: 'wasm', inference: 'tfjs', training: 'tfjs', cacheDir: null, onRecord: (r) => records.push(r) });
      return records;
    };
    const [p0, p1] = [await run(plain), await run(looped)];
    expect(p1.map((r) => r.testMIoU)).to.deep.equal(p0.map((r) => r.testMIoU));
    expect(p1.map((r) => r.rewardMIoUAfterLabeling)).to.not.deep.equal(p0.map((r) => r.rewardMIoUAfterLabeling));
    const [c, d] = [await runs('labelled-model', 1), await runs('labelled-model', 3)];
    expect(c.map((x) => x[0])).to.deep.equal(d.map((x) => x[0]));
    expect(c.map((x) => x[1])).to.not.deep.equal(d.map((x) => x[1]));
  });

  it('a trajectory stopped at 6 regions and extended to 12 replays its action log: the numbers of one run to 12, the agent asked only past the log', async () => {
    const protocol = tinyProtocol();
    const dir = tempDir();
    // the oracle and random draw from the action stream: the replay must hand it on where the log left it
    for (const agent of parseAgentList('oracle,random')) {
      const log = join(dir, `${agent.id}.json`);
      const run = async (budgets: number[], o: { actionLog?: string; skip?: number[] } = {}) => {
        const records: RunRecord[] = [];
        const replayed: number[] = [];
        await runTrajectory({ protocol, agent, seed: 1, budgets, backend: 'wasm', inference: 'tfjs', training: 'tfjs', cacheDir: null, actionLog: o.actionLog ?? null, skip: new Set(o.skip ?? []), onRecord: (r) => records.push(r), onProgress: (p) => replayed.push(p.replayedSteps) });
        return { records, replayed };
      };
      const first = await run([6], { actionLog: log });
      expect(first.replayed).to.deep.equal([0, 0]); // 6 regions, 3 a step
      const logged = JSON.parse(readFileSync(log, 'utf8')) as ActionLog;
      expect(logged.steps.map((s) => s.usedRegions)).to.deep.equal([3, 6]);
      const extended = await run([6, 12], { actionLog: log, skip: [6] });
      expect(extended.replayed).to.deep.equal([1, 2, 2, 2]);
      expect(extended.records.map((r) => r.budgetRegions)).to.deep.equal([12]);
      const straight = await run([12]);
      expect(strip(extended.records[0]!)).to.deep.equal(strip(straight.records[0]!));
      // the log's labelling time is the recorded one: the first two steps as first measured
      const grown = JSON.parse(readFileSync(log, 'utf8')) as ActionLog;
      expect(grown.steps.slice(0, 2)).to.deep.equal(logged.steps);
      expect(extended.records[0]!.timings.labelingMs).to.be.closeTo(grown.steps.reduce((t, s) => t + s.ms, 0), 1e-6);
      // a log that no longer replays to its rewards is refused, naming the file and the step
      writeFileSync(log, JSON.stringify({ ...grown, steps: grown.steps.map((s, i) => (i === 1 ? { ...s, reward: s.reward + 1e-9 } : s)) }));
      let refused: unknown = null;
      await run([12], { actionLog: log }).catch((e: unknown) => (refused = e));
      expect(refused).to.be.instanceOf(ActionLogError);
      expect((refused as Error).message).to.contain(log).and.match(/step 2 replayed to reward .* the log says/);
      // the log says what wrote it, and the refusal says what of that changed: here nothing, so the code
      expect(grown.written).to.deep.equal({ backend: 'wasm', inference: 'tfjs', training: 'tfjs', machine: machineFingerprint() });
      expect((refused as Error).message).to.match(/the code changed since it was written, or the log was edited \(same engines, same kind of machine/);
    }
  });

  it('a trajectory asked to stop ends at its next step with StopRequestedError, its action log holding every step taken', async () => {
    const protocol = tinyProtocol();
    const [agent] = parseAgentList('random');
    const log = join(tempDir(), 'log.json');
    let progressed = 0;
    const records: RunRecord[] = [];
    const stopped = await runTrajectory({ protocol, agent: agent!, seed: 1, budgets: [6, 12], backend: 'wasm', inference: 'tfjs', training: 'tfjs', cacheDir: null, actionLog: log, onRecord: (r) => records.push(r), onProgress: () => progressed++, stopRequested: () => progressed >= 3 }).catch((e: unknown) => e);
    expect(stopped).to.be.instanceOf(StopRequestedError);
    expect((stopped as Error).message).to.contain('stopped after 3 labelling steps (9 regions)');
    // the 6-region run had finished (its final training ran before step 3 was asked for); the log has the 3 steps
    expect(records.map((r) => r.budgetRegions)).to.deep.equal([6]);
    expect((JSON.parse(readFileSync(log, 'utf8')) as ActionLog).steps).to.have.length(3);
    // asked during a final training, it stops before the next epoch
    const inTraining = await runTrajectory({ protocol, agent: agent!, seed: 1, budgets: [6], backend: 'wasm', inference: 'tfjs', training: 'tfjs', cacheDir: null, onRecord: () => {}, stopRequested: (() => { let asked = 0; return () => ++asked > 3; })() }).catch((e: unknown) => e);
    expect(inTraining).to.be.instanceOf(StopRequestedError);
    expect((inTraining as Error).message).to.match(/^stopped before epoch \d+ of \d+$/);
  });

  it('a replay that differs names what changed since the log was written: the engines, the kind of machine, or else the code', () => {
    const now = { backend: 'wasm', inference: 'ort', training: 'ort', machine: 'x64 Xeon; avx avx2 avx512f fma' };
    const step = { action: [0], reward: 0.5211378440132364, usedRegions: 24, ms: 1 };
    const refusal = (written: typeof now | undefined) => {
      try {
        checkReplayedStep('a.json', 0, step, 0.5202073001595114, 24, written, now);
      } catch (e) {
        expect(e).to.be.instanceOf(ActionLogError);
        return (e as Error).message;
      }
      throw new Error('a differing reward was not refused');
    };
    const avx2 = refusal({ ...now, machine: 'x64 EPYC; avx avx2 fma' });
    expect(avx2).to.contain('the machine changed (written on x64 EPYC; avx avx2 fma; replayed on x64 Xeon; avx avx2 avx512f fma)');
    expect(avx2).to.contain("onnxruntime's kernels pick their code path").and.contain('replay it on a machine of the logged kind, or delete it');
    // on wasm and tfjs kernels the machine is not the suspect the message names
    expect(whatChanged({ ...now, inference: 'tfjs', training: 'tfjs', machine: 'other' }, { ...now, inference: 'tfjs', training: 'tfjs' }).reason).to.not.contain('onnxruntime');
    expect(refusal({ ...now, training: 'tfjs' })).to.contain('the engines changed (training tfjs then, ort now)').and.not.contain('machine of the logged kind');
    expect(refusal(undefined)).to.contain('older than provenance records');
    expect(refusal(now)).to.contain('the code changed');
    // a matching reward passes whatever wrote it
    expect(() => checkReplayedStep('a.json', 0, step, step.reward, 24, undefined, now)).to.not.throw();
  });

  it('an action log of another trajectory, or not one at all, is refused naming the file and the field', () => {
    const file = join(tempDir(), 'log.json');
    const key = { trajectory: 't1', protocolHash: 'h', agentId: 'random', seed: 1 };
    writeFileSync(file, JSON.stringify({ schema: 1, ...key, seed: 2, steps: [], actRng: [1, 2, 3, 4] }));
    expect(() => readActionLog(file, key)).to.throw(ActionLogError, /log\.json: logged for seed 2, but this trajectory has 1/);
    writeFileSync(file, '{"schema": 1, "steps": [');
    expect(() => readActionLog(file, key)).to.throw(ActionLogError, /not a readable action log/);
    writeFileSync(file, JSON.stringify({ schema: 1, ...key, steps: [], actRng: [1, 2, 3, 4], written: { backend: 'wasm' } }));
    expect(() => readActionLog(file, key)).to.throw(ActionLogError, /"written" field is not \{backend, inference, training, machine\}/);
    expect(readActionLog(join(tempDir(), 'none.json'), key)).to.equal(null);
  });

  it('workers write one valid line per run, and re-running the same sweep skips finished runs', async () => {
    const out = join(tempDir(), 'runs.jsonl');
    const opts = { protocol: tinyProtocol(), agents: parseAgentList('random'), seeds: [1, 2], budgets: [6, 12], workers: 2, compute: { backend: 'wasm' as const, inference: 'tfjs' as const }, outFile: out };
    const records = await runBenchToEnd(opts);
    expect(records).to.have.length(4);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines).to.have.length(4);
    expect(records.map((r) => r.inference)).to.deep.equal(['tfjs', 'tfjs', 'tfjs', 'tfjs']);
    const again = planBench(opts);
    expect(again.jobs).to.have.length(0);
    expect(again.skippedRuns).to.equal(4);
    // same (protocol, agent, seed, budget) ⇒ same numbers
    const single: RunRecord[] = [];
    await runTrajectory({ protocol: opts.protocol, agent: opts.agents[0]!, seed: 2, budgets: [6, 12], backend: 'wasm', inference: 'tfjs', training: 'tfjs', cacheDir: null, onRecord: (r) => single.push(r) });
    const fromWorkers = records.filter((r) => r.seed === 2).sort((a, b) => a.budgetRegions - b.budgetRegions);
    expect(fromWorkers.map((r) => r.testMIoU)).to.deep.equal(single.map((r) => r.testMIoU));
  });

  it('runs seed by seed: every agent on a seed before the next seed, so a stopped bench leaves whole seeds', () => {
    const out = join(tempDir(), 'runs.jsonl');
    const plan = planBench({ protocol: tinyProtocol(), agents: parseAgentList('random,entropy'), seeds: [3, 1, 2], budgets: [6, 12], workers: 1, compute: { backend: 'wasm' as const, inference: 'tfjs' as const }, outFile: out });
    expect(plan.jobs.map((j) => `${j.agent.id}@${j.seed}`)).to.deep.equal(['entropy@1', 'random@1', 'entropy@2', 'random@2', 'entropy@3', 'random@3']);
  });

  it('a trajectory another bench finished after this one planned is not run again', async () => {
    const out = join(tempDir(), 'runs.jsonl');
    const opts = { protocol: tinyProtocol(), agents: parseAgentList('random'), seeds: [1], budgets: [6, 12], workers: 1, compute: { backend: 'wasm' as const, inference: 'tfjs' as const }, outFile: out };
    const stale = planBench(opts); // planned on an empty runs file
    expect(stale.jobs).to.have.length(1);
    await runBenchToEnd(opts); // "another bench" finishes it
    const events = await lastValueFrom(runBench(opts, stale).pipe(toArray()));
    expect(events.filter((e) => e.message.type === 'record' || e.message.type === 'progress')).to.have.length(0);
    expect(readFileSync(out, 'utf8').trim().split('\n')).to.have.length(2);
  });
});
