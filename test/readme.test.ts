// The README's episode example must run as written (docs that match the code).
import { expect } from 'chai';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { initInference } from '../compute/inference.ts';

describe('README', function () {
  this.timeout(120000);

  it('the episode example runs and labels up to its budget', async () => {
    const readme = readFileSync('README.md', 'utf8');
    const code = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(code, 'a ts code block').to.be.a('string');
    const file = join(process.cwd(), '.cache', `readme-example-${process.pid}.ts`);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, code!);
    const lines: string[] = [];
    const log = console.log;
    console.log = (s: string) => lines.push(String(s));
    try {
      await import(file);
    } finally {
      console.log = log;
      rmSync(file, { force: true });
      await initInference('tfjs'); // the example picks an engine for the process; the other tests use the reference
    }
    expect(lines.at(-1)).to.match(/^labelled 48\/48 regions/);
  });

  it('opens with the two fresh-machine commands', () => {
    const head = readFileSync('README.md', 'utf8').split('\n').slice(0, 6).join('\n');
    expect(head).to.contain('npm install && npm start');
    expect(head).to.contain('npm test');
  });
});
