/**
 * A trained agent evaluated on a protocol other than the one it trained on is a transfer, and its board
 * row says so: `dqn@camvid-ralis-cold-linear` on camvid-ralis-dt, not `dqn`, which that board keeps for policies
 * trained on its own protocol. The training protocol is read from the run directory's training.json
 * (train-policy writes it beside `policy/` and `best/`); a policy without one keeps its label.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { agentEntries, type AgentSpec } from '../../agents/registry.ts';
import { TRAINING_FILE } from '../../agents/dqn/train-policy.ts';

/** The protocol a policy directory was trained on, if its run directory says. */
export function trainedOnProtocol(policyDir: string): string | null {
  for (const dir of [policyDir, dirname(policyDir)]) {
    const file = join(dir, TRAINING_FILE);
    if (!existsSync(file)) continue;
    try {
      const protocol = (JSON.parse(readFileSync(file, 'utf8')) as { protocol?: unknown }).protocol;
      return typeof protocol === 'string' ? protocol : null;
    } catch {
      return null;
    }
  }
  return null;
}

/** `agents` with each trained agent whose policy trained on another protocol labelled `<label>@<that protocol>`. */
export function labelTransfers(agents: readonly AgentSpec[], protocolName: string): AgentSpec[] {
  const trained = new Set(agentEntries().filter((e) => e.trained).map((e) => e.name));
  return agents.map((a) => {
    if (!trained.has(a.name) || a.arg === undefined) return a;
    const from = trainedOnProtocol(a.arg);
    return from && from !== protocolName ? { ...a, label: `${a.label}@${from}` } : a;
  });
}
