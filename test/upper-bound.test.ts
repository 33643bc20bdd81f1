/** The protocol-rule bound: the episode's start model, final-trained on every region of the evaluation pool, tested. */
import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { protocolUpperBound } from '../env/full-supervision.ts';
import { protocolData, resolveProtocol } from '../env/make-env.ts';
import { parseProtocol } from '../env/protocol/load.ts';

describe('protocol-rule upper bound', function () {
  this.timeout(300000);
  it('trains under the protocol’s own final training on every pool region, leaves no tensor behind, and is seeded', async () => {
    const base = JSON.parse(JSON.stringify(resolveProtocol('synthetic-quick')));
    const p = parseProtocol({ ...base, name: 'bound-probe', data: { ...base.data, synthetic: { seed: 0, counts: { d_t: 2, d_s: 1, d_v: 3, val: 2, test: 2 } } }, finalTraining: { epochs: 2, patience: 2 } });
    const ds = protocolData(p);
    const tensors = tf.memory().numTensors;
    const a = await protocolUpperBound(p, ds, 3, null);
    expect(tf.memory().numTensors).to.equal(tensors);
    expect(a.test.mIoU).to.be.within(0, 1);
    expect(a.epochsRun).to.be.within(1, 2);
    const b = await protocolUpperBound(p, ds, 3, null);
    expect(b.test.mIoU).to.equal(a.test.mIoU);
  });
});
