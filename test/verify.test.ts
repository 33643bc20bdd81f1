/** `regiongym verify`: a seeded sample of a runs file re-made and compared to the bit; a tampered record is named with what differs. */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sampleTrajectories } from '../benchmarks/sweep/verify.ts';
import { fakeRecord, tinyProtocolDoc } from './helpers.ts';

const tiny = () => tinyProtocolDoc('tiny-verify');

describe('verify a published row', function () {
  this.timeout(300_000);
  const dir = mkdtempSync(join(tmpdir(), 'regiongym-verify-test-'));
  const cli = (args: string[]) => spawnSync(process.execPath, ['bin/regiongym.mjs', ...args], { encoding: 'utf8', timeout: 300_000, env: { ...process.env, REGIONGYM_CACHE: join(dir, '.cache') } });

  it('samples trajectories by seed, the same ones for the same seed', () => {
    const recs = ['a', 'b', 'c'].flatMap((agentId) => [1, 2, 3].map((seed) => fakeRecord({ agentId, seed })));
    const s = sampleTrajectories(recs, 4, 7);
    expect(s).to.have.length(4);
    expect(sampleTrajectories(recs, 4, 7)).to.deep.equal(s);
    expect(new Set(s.map((t) => `${t.agentId}${t.seed}`)).size).to.equal(4);
  });

  it('re-makes the sample to the bit; a tampered record is reported with the field and both values, exit 1', () => {
    writeFileSync(join(dir, 'p.json'), JSON.stringify(tiny()));
    const runs = join(dir, 'runs.jsonl');
    const common = ['--protocol', join(dir, 'p.json'), '--inference', 'tfjs', '--training', 'tfjs', '--threads', '1'];
    expect(cli(['bench', ...common, '--agents', 'random,entropy', '--workers', '2', '--out', runs]).status).to.equal(0);
    const ok = cli(['verify', runs, ...common, '--sample', '2']);
    expect(ok.status, ok.stderr).to.equal(0);
    expect(ok.stdout).to.match(/^4 of 4 runs reproduced to the bit$/m);
    // tamper with one published number
    const lines = readFileSync(runs, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    lines.forEach((r) => (r.testMIoU = r.testMIoU + 0.01));
    writeFileSync(runs, lines.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const bad = cli(['verify', runs, ...common, '--sample', '1']);
    expect(bad.status).to.equal(1);
    expect(bad.stdout).to.match(/^DIFFERS {5}\w+ seed \d budget 6: testMIoU [\d.]+ → [\d.]+ \(same engines, backend and versions/m);
    expect(bad.stdout).to.match(/^0 of 2 runs reproduced to the bit$/m);
  });
});
