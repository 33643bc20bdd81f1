/** `regiongym agents`: every registered agent with a one-line description and its source, and the per-region scores agents can ask for. */
import type { Command } from 'commander';
import { agentEntries } from '../../../agents/registry.ts';
import { scoreNames } from '../../../env/scores/registry.ts';

export function registerAgents(program: Command): void {
  program
    .command('agents')
    .description('list the agents bench --agents takes, with what they do and where they come from')
    .action(() => {
      const rows = agentEntries().map((e) => [e.arg ? `${e.name}${e.arg.required ? '=' : '[=]'}<${e.arg.name}>` : e.name, e.description, e.source]);
      const w = Math.max(...rows.map((r) => r[0]!.length));
      for (const [name, desc, src] of rows) console.log(`${name!.padEnd(w)}  ${desc} — ${src}`);
      // what an agent of your own may ask the env for (its `needs`), delivered per candidate in info.candidates
      console.log(`\nper-region scores an agent can ask for in 'needs': ${scoreNames().join(', ')}`);
    });
}
