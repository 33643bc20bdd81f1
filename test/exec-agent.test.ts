/**
 * Agents in any language over the JSON-lines protocol (clients/PROTOCOL.md): the shipped Python entropy
 * agent chooses exactly what the built-in entropy agent chooses; a crashing, hanging or lying program
 * stops with one line naming the agent and the step, and finished runs stay. Skipped, with a message,
 * only when python3 is absent.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { makeEnv } from '../env/make-env.ts';
import { Rng } from '../core/rng.ts';
import { EntropyAgent } from '../baselines/entropy.ts';
import { ExecAgent } from '../agents/external/exec-agent.ts';
import type { Agent } from '../agents/agent.ts';
import { tinyProtocolDoc } from './helpers.ts';

const hasPython = spawnSync('python3', ['--version']).status === 0;
const ENTROPY = `python3 ${join(process.cwd(), 'clients/python/entropy_agent.py')}`;
const client = join(process.cwd(), 'clients/python');

/** A Python agent that misbehaves at its first act: `how` is the body of act. */
const badAgent = (how: string) => `import sys\nsys.path.insert(0, ${JSON.stringify(client)})\nfrom regiongym_agent import Agent, run\nimport time\nclass Bad(Agent):\n    name = "bad"\n    def act(self, obs, info, seed):\n${how.split('\n').map((l) => `        ${l}`).join('\n')}\nrun(Bad())\n`;

const tiny = () => tinyProtocolDoc('tiny-exec-agent', [1]);

/** Every action of one episode of `agent` on SyntheticQuick-v0 (eval phase, 48 regions, env seed 0). */
async function episodeActions(agent: Agent): Promise<number[][]> {
  const env = makeEnv('SyntheticQuick-v0', { phase: 'eval', budgetRegions: 48, statistics: [...(agent.needs ?? [])] });
  const rng = new Rng(7);
  const actions: number[][] = [];
  let [obs, info] = await env.reset({ seed: 0 });
  for (let done = false; !done; ) {
    const a = await agent.act(obs, info, rng);
    actions.push([...a]);
    const [next, , terminated, truncated, nextInfo] = await env.step(a);
    [obs, info, done] = [next, nextInfo, terminated || truncated];
  }
  env.close();
  return actions;
}

describe('agents in any language (exec: JSON lines over stdin/stdout)', function () {
  this.timeout(600_000);
  before(function () {
    if (!hasPython) {
      console.log('      (skipped: no python3 on this machine)');
      this.skip();
    }
  });
  const dir = mkdtempSync(join(tmpdir(), 'regiongym-exec-'));
  writeFileSync(join(dir, 'p.json'), JSON.stringify(tiny()));
  const bench = (agents: string, out: string, env: Record<string, string> = {}) =>
    spawnSync(process.execPath, ['bin/regiongym.mjs', 'bench', '--protocol', join(dir, 'p.json'), '--agents', agents, '--workers', '1', '--threads', '1', '--inference', 'tfjs', '--training', 'tfjs', '--out', out], { encoding: 'utf8', timeout: 300_000, env: { ...process.env, REGIONGYM_CACHE: join(dir, '.cache'), ...env } });

  it('the Python entropy agent chooses exactly what the built-in entropy agent chooses, every step of an episode', async () => {
    const before = tf.memory().numTensors;
    const python = await ExecAgent.start(ENTROPY);
    expect([python.name, python.needs, python.baseline]).to.deep.equal(['python-entropy', ['entropy'], true]);
    const theirs = await episodeActions(python);
    python.dispose();
    const ours = await episodeActions(new EntropyAgent());
    expect(theirs.length).to.be.above(2);
    expect(theirs).to.deep.equal(ours);
    expect(tf.memory().numTensors).to.equal(before);
  });

  it('runs through bench as a worker agent, labelled by its script', () => {
    const out = join(dir, 'ok.jsonl');
    const r = bench(`random,exec:${ENTROPY}`, out);
    expect(r.status, r.stderr).to.equal(0);
    const recs = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const mine = recs.filter((x) => x.agentId.startsWith('exec:entropy_agent.py@'));
    expect(mine.map((x) => [x.agent, x.budgetRegions])).to.deep.equal([['entropy_agent', 6], ['entropy_agent', 12]]);
  });

  // random's finished runs, made once: each misbehaving program's bench starts from a copy of them
  let randomRuns: string | null = null;
  const finishedRandomRuns = (): string => {
    if (randomRuns === null) {
      const out = join(dir, 'random.jsonl');
      const r = bench('random', out);
      expect(r.status, r.stderr).to.equal(0);
      randomRuns = readFileSync(out, 'utf8');
      expect(randomRuns.trim().split('\n')).to.have.length(2);
    }
    return randomRuns;
  };

  for (const [what, body, env, message] of [
    ['crashes', 'sys.exit(3)', {}, /agent 'python3 .*crash\.py' at step 0: the program closed its output \(exit 3\)/],
    ['hangs', 'time.sleep(60)', { REGIONGYM_EXEC_TIMEOUT_S: '2' }, /agent 'python3 .*hang\.py' at step 0: no answer within 2 s/],
    ['answers with the wrong length', 'return [0]', {}, /agent 'python3 .*length\.py' at step 0: the action has 1 entries, expected one per pool \(3\)/],
    ['answers out of range', 'return [0, 0, 7]', {}, /at step 0: pool 2: candidate 7 is not an integer in \[0, 3\)/],
    ['answers garbage', 'print("hello"); sys.stdout.flush(); time.sleep(60)', {}, /at step 0: its answer is not a JSON object: hello/],
  ] as const) {
    it(`a program that ${what}: exit 2, one line naming the agent and the step; finished runs kept`, () => {
      const name = { crashes: 'crash', hangs: 'hang', 'answers with the wrong length': 'length', 'answers out of range': 'range', 'answers garbage': 'garbage' }[what];
      const script = join(dir, `${name}.py`);
      writeFileSync(script, badAgent(body));
      const out = join(dir, `${name}.jsonl`);
      writeFileSync(out, finishedRandomRuns());
      const kept = readFileSync(out, 'utf8');
      const r = bench(`random,exec:python3 ${script}`, out, env);
      expect(r.status).to.equal(2);
      const errors = r.stderr.split('\n').filter((l) => l.startsWith('regiongym:'));
      expect(errors, r.stderr).to.have.length(1);
      expect(errors[0]).to.match(message);
      expect(r.stderr).to.not.match(/\n\s+at /);
      expect(readFileSync(out, 'utf8').startsWith(kept)).to.equal(true);
    });
  }
});
