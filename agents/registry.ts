/**
 * Agents by name, for the command line and the benchmark: `random`, `entropy`, `bald`,
 * `dqn=<policy dir>`, … (`npx regiongym agents` lists them). A new agent is one file plus one
 * `registerAgent` line in agents/catalog.ts (or in the user's own module before running).
 */
import { ConfigError } from '../core/errors.ts';
import type { Agent } from './agent.ts';
import { EXEC_PREFIX, execAgentId, execLabel } from './external/exec-agent.ts';
import { isModuleAgent, moduleAgentId, moduleArg, moduleLabel, parseModuleRef } from './external/module-agent.ts';

/** The registry name under which agents from a user's module run (agents/catalog.ts registers it). */
export const MODULE_AGENT = 'module';
/** The registry name of agents that are programs talking JSON lines (agents/external/exec-agent.ts). */
export const EXEC_AGENT = 'exec';

export interface AgentEntry {
  readonly name: string;
  /** One line for `regiongym agents`. */
  readonly description: string;
  /** The paper (or code) it comes from. */
  readonly source: string;
  /** What the text after `=` means, when the agent takes one (shown in listings and errors). */
  readonly arg?: { readonly name: string; readonly required: boolean; readonly help: string };
  /** Makes the agent from the text after `=` (undefined when there is none). */
  make(arg: string | undefined): Promise<Agent>;
  /**
   * The agent's identity for run records and resume: by default `name` or `name=arg`; a policy's is
   * the hash of its files, so two policies never share runs.
   */
  identify?(arg: string | undefined): string;
  /** A whole-image agent: the region agent it mirrors (the leaderboard's RQ2 pairs them). */
  readonly mirrors?: string;
  /** Its arg names trained weights (a policy directory): runs are labelled by the agent's name (`dqn`, `dqn#2`), not by the path. */
  readonly trained?: boolean;
}

const entries = new Map<string, AgentEntry>();

export function registerAgent(e: AgentEntry): void {
  if (!/^[a-z][a-z0-9-]*$/.test(e.name)) throw new ConfigError(`agent name '${e.name}' must be lower-case letters, digits and '-'`);
  entries.set(e.name, e);
}

/** The board's reference baseline: every agent is paired against it. */
export const RANDOM_AGENT = 'random';

/** The registry entry behind a run's agent id (`name`, `name=arg`, `name@hash`, `name:…`), if registered in this process. */
export function entryOfId(agentId: string): AgentEntry | undefined {
  const name = /^[a-z][a-z0-9-]*/.exec(agentId)?.[0];
  return name === undefined ? undefined : entries.get(name);
}

export function agentNames(): string[] {
  return [...entries.keys()];
}

export function agentEntries(): AgentEntry[] {
  return [...entries.values()];
}

export interface AgentSpec {
  /** The agent's registered name. */
  readonly name: string;
  readonly arg?: string;
  /** How runs of this agent are labelled on the board: the name; `name=arg` for a non-path argument. */
  readonly label: string;
  /** Content identity (see AgentEntry.identify). */
  readonly id: string;
}

function entry(name: string): AgentEntry {
  const e = entries.get(name);
  if (!e) throw new ConfigError(`unknown agent '${name}': registered agents are ${agentNames().join(', ')} (npx regiongym agents describes them)`);
  return e;
}

/** One spec from `name`, `name=arg` or a module path (`./my-agent.ts#MyAgent`), checking the name and the argument. */
export function parseAgent(text: string): Omit<AgentSpec, 'label'> & { label?: string } {
  if (text.startsWith(EXEC_PREFIX)) {
    const command = text.slice(EXEC_PREFIX.length).trim();
    if (!command) throw new ConfigError(`agent '${text}': exec: needs a command (exec:python3 my_agent.py)`);
    return { name: EXEC_AGENT, arg: command, id: execAgentId(command), label: execLabel(command) };
  }
  if (isModuleAgent(text)) {
    const ref = parseModuleRef(text);
    return { name: MODULE_AGENT, arg: moduleArg(ref), id: moduleAgentId(ref), label: moduleLabel(ref) };
  }
  const eq = text.indexOf('=');
  const name = eq < 0 ? text : text.slice(0, eq);
  const arg = eq < 0 ? undefined : text.slice(eq + 1);
  const e = entry(name);
  if (arg === '' || (arg !== undefined && !e.arg)) throw new ConfigError(`agent '${text}': ${e.arg ? `an empty ${e.arg.name}` : `${name} takes no argument`}${e.arg ? ` (${e.arg.help})` : ''}`);
  if (arg === undefined && e.arg?.required) throw new ConfigError(`agent '${name}' needs ${e.arg.name}: ${name}=<${e.arg.name}> (${e.arg.help})`);
  return { name, arg, id: e.identify ? e.identify(arg) : arg === undefined ? name : `${name}=${arg}` };
}

/**
 * Parse `random,entropy,dqn=runs/policy` into specs. Empty items, an empty list and the same agent
 * twice are errors; two different policies get labels `dqn` and `dqn#2`.
 */
export function parseAgentList(list: string): AgentSpec[] {
  const items = list.split(',').map((s) => s.trim());
  if (list.trim() === '') throw new ConfigError(`--agents is empty: name at least one of ${agentNames().join(', ')}`);
  const empty = items.findIndex((s) => s.length === 0);
  if (empty >= 0) throw new ConfigError(`--agents '${list}': item ${empty + 1} is empty`);
  const seenIds = new Set<string>();
  const labels = new Map<string, number>();
  return items.map((text) => {
    const s = parseAgent(text);
    if (seenIds.has(s.id)) throw new ConfigError(`--agents '${list}' names '${text}' twice`);
    seenIds.add(s.id);
    // labelled by the canonical id (power-entropy=1.0 → power-entropy), a policy by its agent name, a module by its file
    const base = s.label ?? (entry(s.name).trained || s.arg === undefined || s.id === s.name ? s.name : s.id);
    const n = (labels.get(base) ?? 0) + 1;
    labels.set(base, n);
    return { ...s, label: n === 1 ? base : `${base}#${n}` };
  });
}

export async function makeAgent(spec: Pick<AgentSpec, 'name' | 'arg'>): Promise<Agent> {
  return entry(spec.name).make(spec.arg);
}
