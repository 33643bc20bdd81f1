/**
 * Bring your own agent: an agent in a module outside the repository (`--agents /path/my-agent.ts`)
 * runs through bench in worker threads, through shards and the leaderboard; its id carries a hash of its
 * code, so an edited agent runs again instead of reusing the old runs.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAgentList } from '../agents/registry.ts';
import '../agents/catalog.ts';
import { tinyProtocolDoc } from './helpers.ts';

/** A complete agent in one file, as a user writes it: the candidate of lowest entropy in each pool. */
const AGENT = `
import type { Agent } from '${process.cwd()}/agents/agent.ts';
export default class LeastEntropy implements Agent {
  readonly name = 'least-entropy';
  readonly baseline = true;
  async act(obs: { actionMask: Uint8Array; pools: { shape: number[] } }, info: { candidates: Record<string, Float32Array> }) {
    const h = info.candidates['entropy']!; // per candidate, K pools × N candidates
    const [K, N] = obs.pools.shape as [number, number];
    const out = new Int32Array(K);
    for (let k = 0; k < K; k++) {
      let best = -1;
      for (let n = 0; n < N; n++) if (obs.actionMask[k * N + n] && (best < 0 || h[k * N + n]! < h[k * N + best]!)) best = n;
      out[k] = Math.max(best, 0);
    }
    return out;
  }
}
`;

const tiny = () => tinyProtocolDoc('tiny-own-agent');

const cli = (args: string[], dir: string) => spawnSync(process.execPath, ['bin/regiongym.mjs', ...args], { encoding: 'utf8', timeout: 300_000, env: { ...process.env, REGIONGYM_CACHE: join(dir, '.cache') } });

describe('your own agent, from a file outside the repository', function () {
  this.timeout(600_000);
  const dir = mkdtempSync(join(tmpdir(), 'regiongym-own-agent-'));
  const agentFile = join(dir, 'least-entropy.ts');
  writeFileSync(agentFile, AGENT);
  writeFileSync(join(dir, 'p.json'), JSON.stringify(tiny()));
  const common = ['--protocol', join(dir, 'p.json'), '--agents', `random,${agentFile}`, '--workers', '2', '--threads', '1', '--inference', 'tfjs', '--training', 'tfjs'];

  it("the README's \"Add your agent\" example runs through bench as written", () => {
    const readme = readFileSync('README.md', 'utf8');
    const section = readme.slice(readme.indexOf('## Add your agent'));
    const code = /```ts\n([\s\S]*?)```/.exec(section)![1]!.replace("from 'regiongym'", `from '${process.cwd()}/index.ts'`);
    const file = join(dir, 'least-margin.ts');
    writeFileSync(file, code);
    const r = cli(['bench', '--protocol', join(dir, 'p.json'), '--agents', file, '--seeds', '1', '--budgets', '6', '--workers', '1', '--threads', '1', '--inference', 'tfjs', '--training', 'tfjs', '--out', join(dir, 'readme-runs.jsonl')], dir);
    expect(r.status, r.stderr).to.equal(0);
    const rec = JSON.parse(readFileSync(join(dir, 'readme-runs.jsonl'), 'utf8').trim());
    expect([rec.agent, rec.baseline, rec.usedRegions]).to.deep.equal(['least-margin', true, 6]);
  });

  it('parses as one agent labelled by its file, with an id that hashes its code', () => {
    const [spec] = parseAgentList(agentFile);
    expect(spec!.label).to.equal('least-entropy');
    expect(spec!.id).to.match(/^module:least-entropy\.ts@[0-9a-f]{12}$/);
    expect(() => parseAgentList(join(dir, 'missing.ts'))).to.throw(/is not a file/);
  });

  it('runs in bench worker threads, in shards, and on the leaderboard; an edited agent runs again', () => {
    const runs = join(dir, 'runs.jsonl');
    const r1 = cli(['bench', ...common, '--out', runs], dir);
    expect(r1.status, r1.stderr).to.equal(0);
    const recs = readFileSync(runs, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const mine = recs.filter((r) => r.agent === 'least-entropy');
    expect(mine).to.have.length(4); // 2 seeds × 2 budgets
    expect(mine[0].agentId).to.match(/^module:least-entropy\.ts@/);
    expect(mine[0].baseline).to.equal(true);

    // shards: each runs its part, in its own file, the agent imported by each worker
    for (const i of [0, 1]) expect(cli(['bench', ...common, '--out', join(dir, 'shards'), '--shard', `${i}/2`], dir).status).to.equal(0);
    const shardRecords = readdirSync(join(dir, 'shards')).filter((f) => f.endsWith('.jsonl')).flatMap((f) => readFileSync(join(dir, 'shards', f), 'utf8').trim().split('\n'));
    expect(shardRecords.filter((l) => l.includes('least-entropy'))).to.have.length(4);

    const lb = cli(['leaderboard', runs, '--out', join(dir, 'lb'), '--no-overlays'], dir);
    expect(lb.status, lb.stderr).to.equal(0);
    expect(readFileSync(join(dir, 'lb', 'leaderboard.md'), 'utf8')).to.contain('| least-entropy |');

    // the same file edited: a new id, so the runs are made again rather than reused
    writeFileSync(agentFile, AGENT.replace("'least-entropy'", "'least-entropy-v2'"));
    const r2 = cli(['bench', ...common, '--out', runs], dir);
    expect(r2.status, r2.stderr).to.equal(0);
    expect(r2.stderr).to.match(/8 runs \(4 already in/); // random reused, the edited agent run again
    const ids = new Set(readFileSync(runs, 'utf8').trim().split('\n').map((l) => JSON.parse(l).agentId).filter((id: string) => id.startsWith('module:')));
    expect(ids.size).to.equal(2);
    // the leaderboard will not pool the two versions under one name unless told which to keep
    const refused = cli(['leaderboard', runs, '--out', join(dir, 'lb2'), '--no-overlays'], dir);
    expect(refused.status).to.equal(2);
    expect(refused.stderr).to.match(/agent 'least-entropy' is in the records in 2 versions of its code \(module:least-entropy\.ts@[0-9a-f]{12}, module:least-entropy\.ts@[0-9a-f]{12}\): pass --keep-agent/);
    const newest = JSON.parse(readFileSync(runs, 'utf8').trim().split('\n').at(-1)!).agentId as string;
    const kept = cli(['leaderboard', runs, '--out', join(dir, 'lb2'), '--no-overlays', '--keep-agent', newest], dir);
    expect(kept.status, kept.stderr).to.equal(0);
  });
});
