/**
 * The hostile-input classes below the command line: escaping by context, torn runs files, lapsed
 * claims, error codes across the worker boundary, checksummed caches, canonical agent ids, overlay
 * names. The command-line cases of the same classes are in scripts/fault-cases.ts (test/faults.test.ts).
 */
import { expect } from 'chai';
import { mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { escHtml, mdCell, mdText } from '../benchmarks/leaderboard/format.ts';
import { html, markdown } from '../benchmarks/leaderboard/render.ts';
import { aggregate } from '../benchmarks/leaderboard/aggregate.ts';
import { overlayFileNames } from '../benchmarks/leaderboard/write.ts';
import { appendRunRecord, readRunRecords } from '../benchmarks/sweep/run-record.ts';
import { Claims } from '../benchmarks/sweep/claims.ts';
import { sealDir, sealedDirIntact } from '../core/checked-dir.ts';
import { fromWire, toWire, ConfigError } from '../core/errors.ts';
import { parseAgentList } from '../agents/registry.ts';
import { protocolData, resolveProtocol } from '../env/make-env.ts';
import { parseProtocol } from '../env/protocol/load.ts';
import { learnerSpecOf } from '../env/learners/registry.ts';
import { resolveFrozen } from '../env/learners/frozen-encoder/factory.ts';
import '../agents/catalog.ts';
import { fakeRecord, tempDir } from './helpers.ts';

const HOSTILE = 'x" onload="alert(document.cookie)" data-x=\'';

describe('hostile input', () => {
  it('escaping by context: HTML attributes and text, Markdown text and cells', () => {
    expect(escHtml(HOSTILE)).to.equal('x&quot; onload=&quot;alert(document.cookie)&quot; data-x=&#39;');
    expect(mdText('see ![i](http://x/i.png) <b>')).to.equal('see !\\[i]\\(http://x/i.png) &lt;b&gt;');
    expect(mdCell('a | b')).to.equal('a \\| b');
    expect(mdText('two\nlines')).to.equal('two lines');
  });

  it("an overlay figure's title with quotes stays inside its alt attribute", () => {
    const records = [1, 2].map((seed) => fakeRecord({ seed, agent: HOSTILE, agentId: 'h', trajectory: `h${seed}` }));
    const lb = aggregate(records, null, 50);
    const page = html(lb, [], [{ file: 'overlay-x.png', title: `${HOSTILE}: regions`, svg: null }]);
    expect(page).to.not.match(/<[^>]*\sonload="/);
    expect(page).to.contain('alt="x&quot; onload=&quot;alert(document.cookie)&quot;');
    expect(markdown(lb, [], [{ file: 'a b#c.png', title: 't', svg: null }])).to.contain('[t](a%20b%23c.png)');
  });

  it('overlay file names: labels that clean to one name get distinct files; others keep their plain name', () => {
    const names = overlayFileNames([{ agent: 'a b', agentId: 'p' }, { agent: 'a_b', agentId: 'q' }, { agent: 'random', agentId: 'random' }]);
    expect(names.get('p')).to.not.equal(names.get('q'));
    expect(names.get('p')).to.match(/^overlay-a_b-[0-9a-f]{8}\.png$/);
    expect(names.get('random')).to.equal('overlay-random.png');
  });

  it('a torn last line is set aside on the next append: every record kept, the file whole again', () => {
    const dir = tempDir();
    const file = join(dir, 'runs.jsonl');
    appendRunRecord(file, fakeRecord({ seed: 1 }));
    writeFileSync(file, readFileSync(file, 'utf8') + '{"schema":2,"proto', { flag: 'w' });
    expect(readRunRecords(file)).to.have.length(1);
    appendRunRecord(file, fakeRecord({ seed: 2 }));
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines.map((l) => JSON.parse(l).seed)).to.deep.equal([1, 2]);
    const side = readdirSync(dir).find((f) => f.startsWith('runs.jsonl.torn-'))!;
    expect(readFileSync(join(dir, side), 'utf8')).to.equal('{"schema":2,"proto');
  });

  it('a claim is taken over once its lease lapses, from another host too; a fresh one is not', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'traj'), '99999 other-host\n');
    const claims = new Claims(dir, 1000);
    const held = claims.take('traj');
    expect(held.taken).to.equal(false);
    const old = new Date(Date.now() - 5000);
    utimesSync(join(dir, 'traj'), old, old);
    const taken = claims.take('traj');
    expect(taken.taken && taken.tookOver).to.match(/pid 99999 on other-host, untouched for \d+ s \(lease 1 s\)/);
    claims.release('traj');
  });

  it('system error codes cross the worker boundary (ENOSPC stays ENOSPC); names are looked up as own keys', () => {
    const e = Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
    const back = fromWire(toWire(e), 'random seed 1') as NodeJS.ErrnoException;
    expect(back.code).to.equal('ENOSPC');
    expect(back.message).to.equal('random seed 1: no space left on device');
    expect(fromWire({ name: 'ConfigError', message: 'm' })).to.be.instanceOf(ConfigError);
    expect(fromWire({ name: '__proto__', message: 'm' }).name).to.equal('__proto__');
    for (const name of ['__proto__', 'constructor', 'toString']) expect(() => resolveProtocol(name)).to.throw(ConfigError, `unknown protocol '${name}'`);
  });

  it('a cached directory is used only while its files match the checksum sealed with them', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'm'));
    writeFileSync(join(dir, 'm', 'weights.bin'), Buffer.from([1, 2, 3, 4]));
    expect(sealedDirIntact(join(dir, 'm'))).to.equal(false); // never sealed: a cache from older code
    sealDir(join(dir, 'm'));
    expect(sealedDirIntact(join(dir, 'm'))).to.equal(true);
    writeFileSync(join(dir, 'm', 'weights.bin'), Buffer.from([1, 2, 3, 5])); // altered, still finite
    expect(sealedDirIntact(join(dir, 'm'))).to.equal(false);
  });

  it('one agent, one id: power-entropy, =1 and =1.0 are the same agent; other temperatures are not', () => {
    expect(() => parseAgentList('power-entropy,power-entropy=1.0')).to.throw(ConfigError, /twice/);
    const [a, b] = parseAgentList('power-entropy=1.0,power-entropy=0.50');
    expect([a!.id, a!.label]).to.deep.equal(['power-entropy', 'power-entropy']);
    expect([b!.id, b!.label]).to.deep.equal(['power-entropy=0.5', 'power-entropy=0.5']);
  });
});

describe('hostile input: the learner head and the start split', () => {
  const base = () => JSON.parse(JSON.stringify(resolveProtocol('synthetic-frozen-quick'))) as Record<string, any>;
  it('a start split the data set lacks is a ConfigError naming the field and the value, before any data is used', () => {
    const p = base();
    p.initialModel.evaluation = 'd_r';
    expect(() => protocolData(parseProtocol(p))).to.throw(ConfigError, "initialModel.evaluation = 'd_r', but data set");
    p.initialModel.evaluation = 'd_t';
    p.initialModel.policy = 'nowhere';
    expect(() => parseProtocol(p)).to.throw(ConfigError, 'initialModel.policy = "nowhere"');
  });
  it('a start split whose labels the start may not see (reward set, test set, the evaluation pool) is refused by name', () => {
    const split = (field: 'evaluation' | 'policy', value: string) => {
      const p = base();
      p.initialModel[field] = value;
      return () => protocolData(parseProtocol(p));
    };
    const p = base();
    expect(split('policy', p.splits.reward)).to.throw(ConfigError, `initialModel.policy = '${p.splits.reward}' is the reward set`);
    expect(split('evaluation', p.splits.test)).to.throw(ConfigError, `initialModel.evaluation = '${p.splits.test}' is the test set`);
    expect(split('evaluation', p.splits.evalPool)).to.throw(ConfigError, 'is the evaluation pool');
    expect(split('evaluation', p.splits.policyPool)).not.to.throw();
    // by image, not by name: 'train' is D_T ∪ D_S ∪ D_V, so it holds the evaluation pool's images
    expect(split('evaluation', 'train')).to.throw(ConfigError, /^protocol [\w-]+: initialModel\.evaluation = 'train' shares \d+ images \(d_v-0000, …\) with the evaluation pool \(splits\.evalPool\)/);
    // the policy start may see the evaluation pool (it never meets it), so 'train' is allowed there
    expect(split('policy', 'train')).not.to.throw();
  });
  it('an unknown head, a hidden width that does not fit and a patience of 0 are refused by name', () => {
    const bad = (edit: (p: Record<string, any>) => void) => {
      const p = base();
      edit(p);
      return () => learnerSpecOf(parseProtocol(p).model) && resolveFrozen(parseProtocol(p).model as never);
    };
    expect(bad((p) => (p.model.head = 'conv'))).to.throw(ConfigError, 'head');
    expect(bad((p) => Object.assign(p.model, { head: 'mlp', hidden: 5000 }))).to.throw(ConfigError, 'hidden');
    expect(bad((p) => Object.assign(p.model, { head: 'mlp', hidden: 0 }))).to.throw(ConfigError, 'model.hidden = 0');
    expect(bad((p) => (p.finalTraining.patience = 0))).to.throw(ConfigError, 'patience');
    expect(bad((p) => Object.assign(p, { finalTraining: { ...p.finalTraining, from: 'start-model' }, initialModel: { ...p.initialModel, evaluation: 'scratch' } }))).to.throw(ConfigError, 'finalTraining.from');
    expect(bad((p) => Object.assign(p.finalTraining, { from: 'nowhere' }))).to.throw(ConfigError, 'from');
    expect(bad((p) => Object.assign(p.segmentation, { loop: { lr: 0 } }))).to.throw(ConfigError, 'loop');
    expect(bad((p) => Object.assign(p.segmentation, { loop: { sideways: 1 } }))).to.throw(ConfigError, 'sideways');
    expect(bad((p) => (p.finalTraining.items = 'sideways'))).to.throw(ConfigError, 'finalTraining.items = "sideways"');
    expect(bad((p) => (p.finalTraining.items = 'whole-image'))).not.to.throw();
    expect(bad((p) => (p.finalTraining.weightAverage = 1))).to.throw(ConfigError, 'weightAverage');
    expect(bad((p) => (p.finalTraining.weightAverage = 0.7))).not.to.throw();
    expect(bad((p) => Object.assign(p.finalTraining, { warmupEpochs: 3, schedule: 'linear-decay' }))).to.throw(ConfigError, 'finalTraining.warmupEpochs = 3 needs the constant schedule');
    expect(bad((p) => (p.finalTraining.warmupEpochs = 1.5))).to.throw(ConfigError, 'warmupEpochs');
    const withStart = (edit: (p: Record<string, any>) => void) => bad((p) => {
      Object.assign(p.finalTraining, { withStartSplit: true, items: 'whole-image' });
      p.initialModel.evaluation = 'd_t';
      edit(p);
    });
    expect(withStart(() => {})).not.to.throw();
    expect(withStart((p) => (p.initialModel.evaluation = 'scratch'))).to.throw(ConfigError, "withStartSplit needs a start trained on a split (initialModel.evaluation is 'scratch')");
    expect(withStart((p) => delete p.finalTraining.items)).to.throw(ConfigError, 'withStartSplit needs finalTraining.items = "whole-image"');
    expect(withStart((p) => (p.initialModel.evaluation = 'train'))).to.throw(ConfigError, "would train on 'train', which shares images with splits.evalPool");
  });
});
