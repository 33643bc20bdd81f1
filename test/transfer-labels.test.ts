/** A policy evaluated on another protocol than it trained on is labelled as a transfer on the board. */
import { expect } from 'chai';
import { parseAgentList } from '../agents/registry.ts';
import '../agents/catalog.ts';
import { labelTransfers, trainedOnProtocol } from '../benchmarks/sweep/transfer-labels.ts';

const POLICY = 'results/synthetic-frozen-quick/policy-seed1/policy';

describe('transfer labels', () => {
  it('a policy trained on synthetic-frozen-quick is dqn there and dqn@synthetic-frozen-quick elsewhere; other agents keep their labels', () => {
    expect(trainedOnProtocol(POLICY)).to.equal('synthetic-frozen-quick');
    const agents = parseAgentList(`random,dqn=${POLICY}`);
    expect(labelTransfers(agents, 'synthetic-frozen-quick').map((a) => a.label)).to.deep.equal(['random', 'dqn']);
    const moved = labelTransfers(agents, 'synthetic-frozen');
    expect(moved.map((a) => a.label)).to.deep.equal(['random', 'dqn@synthetic-frozen-quick']);
    // the run's identity is the policy's content, whatever the label
    expect(moved.map((a) => a.id)).to.deep.equal(agents.map((a) => a.id));
  });
});
