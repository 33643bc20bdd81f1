import { expect } from 'chai';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { loadProtocol, parseProtocol, type Protocol } from '../env/protocol/load.ts';
import { runTrajectory } from '../benchmarks/runner/trajectory.ts';
import { parseAgentList } from '../agents/registry.ts';
import { planBench, runBench, runBenchToEnd } from '../benchmarks/bench.ts';
import { lastValueFrom, toArray } from 'rxjs';
import type { RunRecord } from '../benchmarks/run-record.ts';
import { tempDir } from './helpers.ts';

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
