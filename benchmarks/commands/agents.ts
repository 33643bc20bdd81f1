/** `regiongym agents`: every registered agent with a one-line description and its source. */
import type { Command } from 'commander';
import { agentEntries } from '../../agents/registry.ts';

export function registerAgents(program: Command): void {
  program
    .command('agents')
    .description('list the agents bench --agents takes, with what they do and where they come from')
    .action(() => {
      const rows = agentEntries().map((e) => [e.arg ? `${e.name}${e.arg.required ? '=' : '[=]'}<${e.arg.name}>` : e.name, e.description, e.source]);
      const w = Math.max(...rows.map((r) => r[0]!.length));
      for (const [name, desc, src] of rows) console.log(`${name!.padEnd(w)}  ${desc} — ${src}`);
    });
}
