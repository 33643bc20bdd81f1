/**
 * Agents by name, for the command line: `random`, `entropy`, `bald`, `dqn=<policy dir>`. A new agent
 * is one file plus one `registerAgent` line (here, or in the user's own module before running).
 */
import { ConfigError } from '../env/core/errors.ts';
import type { Agent } from './agent.ts';
import { RandomAgent } from './baselines/random.ts';
import { EntropyAgent } from './baselines/entropy.ts';
import { BaldAgent } from './baselines/bald.ts';
import { DqnAgent } from './dqn/dqn-agent.ts';

/** Makes an agent from the text after `=` on the command line (undefined when there is none). */
export type AgentFactory = (arg: string | undefined) => Promise<Agent>;

const factories = new Map<string, AgentFactory>();

export function registerAgent(name: string, factory: AgentFactory): void {
  if (!/^[a-z][a-z0-9-]*$/.test(name)) throw new ConfigError(`agent name '${name}' must be lower-case letters, digits and '-'`);
  factories.set(name, factory);
}

export function agentNames(): string[] {
  return [...factories.keys()];
}

export interface AgentSpec {
  /** The agent's registered name. */
  readonly name: string;
  readonly arg?: string;
  /** How runs of this agent are labelled: the name; `name#2`, `name#3`… when a name repeats. */
  readonly label: string;
}

/** Parse `random,entropy,dqn=runs/policy` into specs, checking every name. */
export function parseAgentList(list: string): AgentSpec[] {
  const seen = new Map<string, number>();
  return list
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => {
      const eq = s.indexOf('=');
      const name = eq < 0 ? s : s.slice(0, eq);
      const arg = eq < 0 ? undefined : s.slice(eq + 1);
      if (!factories.has(name)) throw new ConfigError(`unknown agent '${name}': registered agents are ${agentNames().join(', ')}`);
      const n = (seen.get(name) ?? 0) + 1;
      seen.set(name, n);
      return { name, arg, label: n === 1 ? name : `${name}#${n}` };
    });
}

export async function makeAgent(spec: AgentSpec): Promise<Agent> {
  return factories.get(spec.name)!(spec.arg);
}

registerAgent('random', async () => new RandomAgent());
registerAgent('entropy', async () => new EntropyAgent());
registerAgent('bald', async () => new BaldAgent());
registerAgent('dqn', async (dir) => {
  if (!dir) throw new ConfigError("the dqn agent needs a trained policy: dqn=<dir written by 'regiongym train-policy'>");
  return DqnAgent.load(dir);
});
