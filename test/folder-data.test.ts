/**
 * Your own data: the `folder` layout (env/data/folder.ts) made by scripts/make-example-folder.ts, read
 * with its own class count, run through check-env and bench from a protocol; a bad file is named.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { loadFolder } from '../env/data/folder.ts';
import { DataError } from '../core/errors.ts';

const cli = (args: string[], cache: string) => spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 300_000, env: { ...process.env, REGIONGYM_CACHE: cache } });

describe('your own data set (a folder of PNGs)', function () {
  this.timeout(300_000);
  const dir = mkdtempSync(join(tmpdir(), 'regiongym-folder-'));
  const data = join(dir, 'my-data');
  before(() => {
    const r = cli(['--import', 'tsx', 'scripts/make-example-folder.ts', data], join(dir, '.cache'));
    expect(r.status, r.stderr).to.equal(0);
  });

  it('loads with the class count of its classes.json, its splits, the ignore value mapped to C', () => {
    const ds = loadFolder({ root: data, scale: 1 });
    expect(ds.numClasses).to.equal(5);
    expect(ds.ignoreIndex).to.equal(5);
    expect(ds.classNames).to.deep.equal(['sky', 'structure', 'ground', 'tree', 'object']);
    expect(Object.keys(ds.splits).sort()).to.deep.equal(['d_s', 'd_t', 'd_v', 'test', 'val']);
    expect([ds.height, ds.width]).to.deep.equal([72, 96]);
    for (const s of Object.values(ds.splits).flat()) expect(s!.label.every((v) => v <= 5)).to.equal(true);
    expect(ds.name).to.match(/^folder:my-data-[0-9a-f]{8}@1$/);
  });

  it('names the first bad file: a label value that is no class, a missing image, an unknown split', () => {
    const bad = join(dir, 'bad');
    cpSync(data, bad, { recursive: true });
    const file = join(bad, 'labels', 'd_v-003.png');
    const png = PNG.sync.read(readFileSync(file));
    png.data[4 * 100] = 9;
    writeFileSync(file, PNG.sync.write(png));
    expect(() => loadFolder({ root: bad, scale: 1 })).to.throw(DataError, /labels\/d_v-003\.png: pixel 4,1 holds 9, not a class id in \[0, 4\] nor the ignore value 255/);
    const splits = JSON.parse(readFileSync(join(bad, 'splits.json'), 'utf8'));
    writeFileSync(join(bad, 'splits.json'), JSON.stringify({ ...splits, d_v: ['nope'] }));
    expect(() => loadFolder({ root: bad, scale: 1 })).to.throw(DataError, /images\/nope\.png is missing \(listed in split 'd_v'/);
    writeFileSync(join(bad, 'splits.json'), JSON.stringify({ ...splits, extra: ['d_v-000'] }));
    expect(() => loadFolder({ root: bad, scale: 1 })).to.throw(DataError, /unknown split 'extra'/);
  });

  it('check-env passes and bench runs on it from the example protocol; another folder into the same runs file is refused', () => {
    const cache = join(dir, '.cache');
    const check = cli(['bin/regiongym.mjs', 'check-env', '--protocol', 'examples/folder-quick.json', '--root', data], cache);
    expect(check.status, check.stderr).to.equal(0);
    expect(check.stdout).to.match(/12 passed, 0 failed/);
    const runs = join(dir, 'runs.jsonl');
    const bench = cli(['bin/regiongym.mjs', 'bench', '--protocol', 'examples/folder-quick.json', '--root', data, '--agents', 'random', '--seeds', '0', '--budgets', '24', '--workers', '1', '--threads', '1', '--out', runs], cache);
    expect(bench.status, bench.stderr).to.equal(0);
    const rec = JSON.parse(readFileSync(runs, 'utf8').trim());
    expect(rec.dataset.classNames).to.deep.equal(['sky', 'structure', 'ground', 'tree', 'object']);
    expect(rec.testPerClassIoU).to.have.length(5);
    const other = join(dir, 'other');
    cpSync(data, other, { recursive: true });
    writeFileSync(join(other, 'classes.json'), readFileSync(join(data, 'classes.json'), 'utf8').replace('"sky"', '"heaven"'));
    const mixed = cli(['bin/regiongym.mjs', 'bench', '--protocol', 'examples/folder-quick.json', '--root', other, '--agents', 'random', '--seeds', '0', '--budgets', '24', '--out', runs], cache);
    expect(mixed.status).to.equal(2);
    expect(mixed.stderr).to.match(/holds runs of protocol 'folder-quick' on data set folder:my-data-[0-9a-f]{8}@1, not folder:other-[0-9a-f]{8}@1/);
  });
});
