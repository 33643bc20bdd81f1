/**
 * What each published board holds, from its runs file alone: runs, seeds, budgets, agents, training runs
 * per learned agent and the summed wall time (each trajectory's labelling once, every final training and
 * test). The closing notes' table per protocol.
 *
 *   node --import tsx results/inventory.ts [RUNS.jsonl ...]   (default: every results/<board>/runs.jsonl)
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readRunRecords } from '../benchmarks/sweep/run-record.ts';

const files = process.argv.slice(2).length > 0 ? process.argv.slice(2) : readdirSync('results').map((d) => join('results', d, 'runs.jsonl')).filter(existsSync);
console.log('| runs file | protocol | runs | seeds | budgets | agents | trained agents: policies | wall h (summed) |');
console.log('|---|---|---|---|---|---|---|---|');
for (const file of files) {
  const records = readRunRecords(file);
  if (records.length === 0) continue;
  const labelling = new Map<string, number>();
  let ms = 0;
  for (const r of records) {
    labelling.set(r.trajectory, Math.max(labelling.get(r.trajectory) ?? 0, r.timings.labelingMs));
    ms += r.timings.finalTrainMs + r.timings.testMs;
  }
  for (const v of labelling.values()) ms += v;
  const uniq = <T,>(xs: T[]) => [...new Set(xs)];
  const agents = uniq(records.map((r) => r.agent.replace(/#\d+$/, '')));
  // a trained agent's id names its policy's content (dqn@hash): one id per policy
  const trained = uniq(records.filter((r) => /^dqn@/.test(r.agentId)).map((r) => r.agentId));
  const byProtocol = uniq(records.map((r) => r.protocol)).join(', ');
  const seeds = uniq(records.map((r) => r.seed)).length;
  const budgets = uniq(records.map((r) => r.budgetRegions)).sort((a, b) => a - b);
  console.log(`| ${file} | ${byProtocol} | ${records.length} | ${seeds} | ${budgets.length === 1 ? budgets[0] : `${budgets.length} (${budgets[0]}–${budgets[budgets.length - 1]})`} | ${agents.length} | ${trained.length} | ${(ms / 3.6e6).toFixed(1)} |`);
}
