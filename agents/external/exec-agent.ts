/**
 * Agents in any language: `--agents "exec:python3 my_agent.py"` runs a program as an agent, talking
 * JSON lines over its stdin and stdout (the protocol is in clients/PROTOCOL.md; clients/python has a
 * dependency-free client and an example). One process per agent instance, started when the agent is made
 * and closed with it. A program that crashes, hangs past the timeout (REGIONGYM_EXEC_TIMEOUT_S, default
 * 120 s) or answers with a bad action (wrong length, out of range, a masked candidate) stops the
 * trajectory with one ConfigError naming the agent and the step; finished runs are already in the runs file.
 *
 * Identity: `exec:<script>@<hash>`, the hash over the command and, for every word of it that names a
 * file, the file's bytes: editing the script makes a new agent.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { ConfigError } from '../../core/errors.ts';
import type { Rng } from '../../core/rng.ts';
import type { ActiveSegInfo, ActiveSegObs } from '../../env/active-seg-types.ts';
import type { Agent } from '../agent.ts';

export const EXEC_PREFIX = 'exec:';
export const EXEC_PROTOCOL = 'regiongym-agent/1';

/** Words of the command that name existing files, resolved. */
const files = (command: string) => command.split(/\s+/).filter((w) => w && existsSync(w) && statSync(w).isFile()).map((w) => resolve(w));

export function execAgentId(command: string): string {
  const h = createHash('sha256').update(command);
  for (const f of files(command)) h.update(`\u0000${f}\u0000`).update(readFileSync(f));
  const script = files(command).at(-1);
  return `exec:${script ? basename(script) : command.split(/\s+/)[0]}@${h.digest('hex').slice(0, 12)}`;
}

/** The board label: the script's name without its extension (else the program's). */
export function execLabel(command: string): string {
  const script = files(command).at(-1);
  return (script ? basename(script) : command.split(/\s+/)[0]!).replace(/\.[A-Za-z0-9]+$/, '');
}

const timeoutMs = () => {
  const raw = process.env['REGIONGYM_EXEC_TIMEOUT_S'];
  const s = raw === undefined || raw === '' ? 120 : Number(raw);
  if (!Number.isFinite(s) || s <= 0 || s > 86400) throw new ConfigError(`REGIONGYM_EXEC_TIMEOUT_S must be seconds in (0, 86400], got '${raw}'`);
  return 1000 * s;
};

/** A typed array as the protocol carries it: shape, dtype and base64 of the little-endian bytes. */
function wire(data: Float32Array | Int32Array | Uint8Array, shape: readonly number[]): { shape: number[]; dtype: string; data: string } {
  const dtype = data instanceof Float32Array ? 'float32' : data instanceof Int32Array ? 'int32' : 'uint8';
  return { shape: [...shape], dtype, data: Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64') };
}

interface Hello {
  type: 'hello';
  name?: unknown;
  needs?: unknown;
  baseline?: unknown;
}

export class ExecAgent implements Agent {
  readonly name: string;
  readonly needs: readonly string[];
  readonly baseline: boolean;
  private step = 0;
  private closed = false;

  private constructor(
    private readonly command: string,
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly lines: AsyncIterator<string>,
    private readonly stderrTail: () => string,
    hello: Hello,
  ) {
    this.name = typeof hello.name === 'string' && hello.name ? hello.name : execLabel(command);
    this.needs = Array.isArray(hello.needs) ? hello.needs.filter((n): n is string => typeof n === 'string') : [];
    this.baseline = hello.baseline !== false;
  }

  /** Start the program and shake hands: it says its name, what statistics it needs, and whether it is a baseline. */
  static async start(command: string): Promise<ExecAgent> {
    const child = spawn(command, { shell: true, stdio: ['pipe', 'pipe', 'pipe'] });
    let tail = '';
    child.stderr.on('data', (d: Buffer) => (tail = (tail + d.toString()).slice(-2000)));
    const rl: Interface = createInterface({ input: child.stdout });
    const lines = rl[Symbol.asyncIterator]();
    const agent = { command, child, lines, tail: () => tail };
    const hello = (await ExecAgent.exchange(agent, { type: 'hello', protocol: EXEC_PROTOCOL }, 'hello')) as unknown as Hello;
    if (hello.type !== 'hello') throw new ConfigError(`agent '${command}': expected a hello reply, got type '${String(hello.type)}'`);
    return new ExecAgent(command, child, lines, () => tail, hello);
  }

  /** Send one message and read one JSON line back, within the timeout; any failure names the command and where. */
  private static async exchange(a: { command: string; child: ChildProcessWithoutNullStreams; lines: AsyncIterator<string>; tail: () => string }, msg: object, where: string): Promise<Record<string, unknown>> {
    const fail = (why: string) => new ConfigError(`agent '${a.command}' at ${where}: ${why}${a.tail().trim() ? ` (its stderr ends: ${a.tail().trim().split('\n').slice(-1)[0]})` : ''}`);
    if (a.child.exitCode !== null || a.child.signalCode !== null) throw fail(`the program has exited (${a.child.exitCode ?? a.child.signalCode})`);
    a.child.stdin.write(JSON.stringify(msg) + '\n');
    let timer: NodeJS.Timeout | undefined;
    const ms = timeoutMs();
    const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(fail(`no answer within ${ms / 1000} s`)), ms)));
    try {
      const next = await Promise.race([a.lines.next(), timeout]);
      if (next.done) throw fail(`the program closed its output (exit ${await exitCode(a.child)})`);
      try {
        const doc = JSON.parse(next.value) as unknown;
        if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new Error('not an object');
        return doc as Record<string, unknown>;
      } catch {
        throw fail(`its answer is not a JSON object: ${next.value.slice(0, 120)}`);
      }
    } finally {
      clearTimeout(timer);
    }
  }

  async act(obs: ActiveSegObs, info: ActiveSegInfo, rng: Rng): Promise<Int32Array> {
    const step = this.step++;
    const [K, N] = obs.pools.shape as [number, number, number];
    const [state, pools] = [obs.state.dataSync() as Float32Array, obs.pools.dataSync() as Float32Array];
    const candidates = Object.fromEntries(Object.entries(info.candidates).map(([k, v]) => [k, wire(v, [v.length])]));
    const msg = {
      type: 'act',
      step,
      obs: { state: wire(state, obs.state.shape), pools: wire(pools, obs.pools.shape), actionMask: wire(obs.actionMask, [obs.actionMask.length]) },
      info: { candidates, candidateWidths: info.candidateWidths, usedRegions: info.usedRegions, budgetRegions: info.budgetRegions, rewardMIoU: info.rewardMIoU, candidateIds: wire(info.candidateIds, [info.candidateIds.length]) },
      // a seed for the program's own random numbers, drawn from the action stream (same seed, same numbers)
      seed: rng.nextUint32(),
    };
    const reply = await ExecAgent.exchange({ command: this.command, child: this.child, lines: this.lines, tail: this.stderrTail }, msg, `step ${step}`);
    const bad = (why: string) => new ConfigError(`agent '${this.command}' at step ${step}: ${why}`);
    const action = reply['action'];
    if (reply['type'] !== 'action' || !Array.isArray(action)) throw bad(`expected {"type": "action", "action": [${K} integers]}, got ${JSON.stringify(reply).slice(0, 120)}`);
    if (action.length !== K) throw bad(`the action has ${action.length} entries, expected one per pool (${K})`);
    const out = new Int32Array(K);
    action.forEach((a, k) => {
      if (!Number.isInteger(a) || a < 0 || a >= N) throw bad(`pool ${k}: candidate ${JSON.stringify(a)} is not an integer in [0, ${N})`);
      const poolOpen = Array.from({ length: N }, (_, n) => obs.actionMask[k * N + n]).some(Boolean);
      if (poolOpen && !obs.actionMask[k * N + a]) throw bad(`pool ${k}: candidate ${a} is masked (actionMask is 0 there)`);
      out[k] = a;
    });
    return out;
  }

  dispose(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.child.stdin.end(JSON.stringify({ type: 'close' }) + '\n');
    } catch {
      // already gone
    }
    // a program that ignores close is ended
    setTimeout(() => this.child.exitCode === null && this.child.kill('SIGKILL'), 2000).unref();
  }
}

function exitCode(child: ChildProcessWithoutNullStreams): Promise<string> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(String(child.exitCode ?? child.signalCode));
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve('still running'), 500);
    child.once('exit', (code, signal) => {
      clearTimeout(t);
      resolve(String(code ?? signal));
    });
  });
}

