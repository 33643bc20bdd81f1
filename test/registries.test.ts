/**
 * One registration pattern: a data set, a learner, a per-region score and an agent registered from this file alone (no edit
 * of the repository) run a trajectory end to end, and the leaderboard places them by their metadata.
 * The registrations stay for the rest of the process: their names are prefixed `fixture-` and tests that
 * list every entry run before this file.
 */
import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { registerDataset, datasetNames } from '../env/data/registry.ts';
import { registerLearner, learnerNames } from '../env/learners/registry.ts';
import { unetFactory } from '../env/learners/unet/factory.ts';
import { registerAgent, parseAgentList, agentNames } from '../agents/registry.ts';
import { makeSyntheticDataset } from '../env/data/synthetic.ts';
import { parseProtocol, PROTOCOL_DIR } from '../env/protocol/load.ts';
import { runTrajectory } from '../benchmarks/sweep/runner/trajectory.ts';
import { aggregate } from '../benchmarks/leaderboard/aggregate.ts';
import type { RunRecord } from '../benchmarks/sweep/run-record.ts';
import type { Agent } from '../agents/agent.ts';
import { ConfigError } from '../core/errors.ts';
import { registerScore, scoreNames } from '../env/scores/registry.ts';
import { join } from 'node:path';

describe('registries: a data set, a learner and an agent from a test file', function () {
  this.timeout(300000);

  it('register, validate against the registry, run a trajectory, land on the board', async () => {
    registerDataset({ name: 'fixture-scenes', description: 'tiny synthetic scenes', load: () => makeSyntheticDataset({ seed: 9, height: 72, width: 96, counts: { d_t: 4, d_s: 2, d_v: 8, val: 3, test: 3 } }) });
    const schema = unetFactory.schema as { properties: Record<string, unknown> };
    registerLearner({ ...unetFactory, name: 'fixture-unet', description: 'UNet-S under another name', schema: { ...schema, properties: { ...schema.properties, name: { const: 'fixture-unet' } } }, resolve: (spec) => ({ ...unetFactory.resolve({ ...spec, name: 'unet-s' }), name: 'fixture-unet' }) });
    // a score from the region features: the share of the region's pixels predicted as class 0
    registerScore({ name: 'fixture-class0', source: 'features', width: () => 1, compute: (f, ctx) => tf.div(tf.slice(f.rows, [0, 0], [-1, 1]), tf.sum(tf.slice(f.rows, [0, 0], [-1, ctx.numClasses + 1]), 1, true)) as tf.Tensor2D });
    const seen: number[] = [];
    const firstCandidate = (): Agent => ({
      name: 'fixture-first',
      baseline: true,
      needs: ['fixture-class0'],
      act: async (obs, info) => {
        seen.push(...info.candidates['fixture-class0']!);
        return new Int32Array(obs.pools.shape[0]);
      },
    });
    registerAgent({ name: 'fixture-first', description: 'the first candidate of every pool', source: 'this test', make: async () => firstCandidate() });
    expect(datasetNames()).to.include('fixture-scenes');
    expect(learnerNames()).to.include('fixture-unet');
    expect(agentNames()).to.include('fixture-first');
    expect(scoreNames()).to.include('fixture-class0');

    const base = JSON.parse(readFileSync(join(PROTOCOL_DIR, 'synthetic-quick.json'), 'utf8'));
    const doc = { ...base, name: 'fixture', data: { name: 'fixture-scenes', scale: 0.2 }, model: { name: 'fixture-unet' }, budgets: [24], policyBudget: 24, poolsPerStep: 12, poolSize: { policy: 4, eval: 4 }, seeds: [1], initialModel: { evaluation: 'scratch', pretrainEpochs: 0 }, finalTraining: { epochs: 1, patience: 1 } };
    expect(() => parseProtocol({ ...doc, data: { name: 'nowhere', scale: 0.2 } })).to.throw(ConfigError, /data.name = "nowhere": allowed .*"fixture-scenes"/);
    const p = parseProtocol(doc);
    const records: RunRecord[] = [];
    const tensors = tf.memory().numTensors;
    for (const agent of parseAgentList('fixture-first,random'))
      await runTrajectory({ protocol: p, agent, seed: 1, budgets: p.budgets, backend: 'wasm', inference: 'tfjs', training: 'tfjs', cacheDir: null, actionLog: null, onRecord: (r) => records.push(r) });
    expect(tf.memory().numTensors).to.equal(tensors);
    expect(records.map((r) => [r.agent, r.budgetRegions])).to.deep.equal([['fixture-first', 24], ['random', 24]]);
    // the env computed the registered score for the agent that asked: shares in [0, 1], not all padding
    expect(seen.length).to.be.greaterThan(0);
    expect(seen.every((v) => v >= 0 && v <= 1 + 1e-6)).to.equal(true);
    expect(seen.some((v) => v > 0)).to.equal(true);
    expect(records.every((r) => r.model.name === 'fixture-unet' && r.testMIoU >= 0 && r.testMIoU <= 1)).to.equal(true);
    const lb = aggregate(records);
    expect(lb.agents.map((a) => [a.agentId, a.baseline])).to.deep.include(['fixture-first', true]);
  });
});
