import { expect } from 'chai';
import { ConfigError } from '../core/errors.ts';
import { protocolFieldHashes, protocolHash } from '../env/protocol/hash.ts';
import { loadProtocol } from '../env/protocol/load.ts';
import { trajectoryId } from '../benchmarks/sweep/identity.ts';
import { renameRunLines, renaming } from '../scripts/rename-protocol.ts';
import { fakeRecord } from './helpers.ts';

describe('rename-protocol (a shipped protocol renamed in published records)', () => {
  // as if synthetic-quick had been called 'quick-old' when these records were made
  const now = loadProtocol('synthetic-quick');
  const old = { ...now, name: 'quick-old' };
  const recordOf = (agentId: string, seed: number) =>
    fakeRecord({ protocolOf: old, agentId, seed, trajectory: trajectoryId(protocolHash(old), agentId, seed, '0.2.0') });

  it('rewrites name, hash, field hashes and trajectory id of the old name\'s records, and nothing else', () => {
    const r = renaming('quick-old', 'synthetic-quick');
    expect([r.oldHash, r.newHash]).to.deep.equal([protocolHash(old), protocolHash(now)]);
    const other = JSON.stringify(fakeRecord({ protocol: 'synthetic', protocolHash: 'h1' }));
    const lines = [JSON.stringify(recordOf('random', 1)), other, JSON.stringify(recordOf('entropy', 2))];
    const out = renameRunLines(lines, r);
    expect(out.lines[1]).to.equal(other);
    for (const [i, [agentId, seed]] of [[0, ['random', 1]], [2, ['entropy', 2]]] as const) {
      const before = JSON.parse(lines[i]!), after = JSON.parse(out.lines[i]!);
      expect(after.protocol).to.equal('synthetic-quick');
      expect(after.protocolHash).to.equal(protocolHash(now));
      expect(after.protocolFields).to.deep.equal(protocolFieldHashes(now));
      expect(after.trajectory).to.equal(trajectoryId(protocolHash(now), agentId, seed, '0.2.0'));
      expect(out.ids.get(before.trajectory)).to.equal(after.trajectory);
      // every number and every other field as it was
      const strip = (x: Record<string, unknown>) => ({ ...x, protocol: 0, protocolHash: 0, protocolFields: 0, trajectory: 0 });
      expect(strip(after)).to.deep.equal(strip(before));
    }
  });

  it('refuses a record of other settings than the renamed protocol\'s, and a forged trajectory id', () => {
    const r = renaming('quick-old', 'synthetic-quick');
    const stale = JSON.stringify({ ...recordOf('random', 1), protocolHash: 'ffffffffffffffff' });
    expect(() => renameRunLines([stale], r, 'runs.jsonl')).to.throw(ConfigError, "runs.jsonl:1: a 'quick-old' record with content ffffffffffffffff");
    const forged = JSON.stringify({ ...recordOf('random', 1), trajectory: 'abc' });
    expect(() => renameRunLines([forged], r, 'runs.jsonl')).to.throw(ConfigError, 'trajectory abc is not the id of');
    // renamed to a protocol of other settings: the records' hash is not that content's under the old name
    expect(() => renameRunLines([JSON.stringify(recordOf('random', 1))], renaming('quick-old', 'synthetic'), 'runs.jsonl')).to.throw(ConfigError, "a 'quick-old' record with content");
  });
});
