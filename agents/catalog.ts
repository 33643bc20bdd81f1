/** Every shipped agent, one registry entry each (agents/registry.ts). */
import { EXEC_AGENT, MODULE_AGENT, registerAgent } from './registry.ts';
import { ExecAgent, execAgentId } from './external/exec-agent.ts';
import { RandomAgent } from '../baselines/random.ts';
import { EntropyAgent } from '../baselines/entropy.ts';
import { BaldAgent } from '../baselines/bald.ts';
import { MarginAgent } from '../baselines/margin.ts';
import { ClassBalancedAgent } from '../baselines/class-balanced.ts';
import { ImpurityAgent } from '../baselines/impurity.ts';
import { PowerAgent, parseTemperature } from '../baselines/power.ts';
import { CoresetAgent } from '../baselines/coreset.ts';
import { BadgeAgent } from '../baselines/badge.ts';
import { ImageEntropyAgent, ImageRandomAgent } from '../baselines/image-level.ts';
import { OracleAgent, parseSamples } from '../baselines/oracle.ts';
import { DqnAgent } from './dqn/dqn-agent.ts';
import { policyId } from './dqn/policy-id.ts';
import { loadModuleAgent, moduleAgentId, parseModuleRef } from './external/module-agent.ts';

const temperature = { name: 'T', required: false, help: 'sampling temperature T > 0, default 1' };
/** One id per temperature however it is written: power-entropy, =1 and =1.0 are one agent (the bare name, as published). */
const powerId = (name: string, arg: string | undefined) => {
  const t = parseTemperature(arg);
  return t === 1 ? name : `${name}=${t}`;
};

registerAgent({ name: 'random', description: 'one uniformly random candidate per pool', source: 'the standard AL baseline', make: async () => new RandomAgent() });
registerAgent({ name: 'entropy', description: 'highest mean pixel entropy per pool (H)', source: 'Shannon 1948; Settles 2009; the RALIS paper\'s H', make: async () => new EntropyAgent() });
registerAgent({ name: 'bald', description: 'highest mean pixel BALD from T MC-dropout passes', source: 'Houlsby et al. 2011; Gal et al., ICML 2017', make: async () => new BaldAgent() });
registerAgent({ name: 'margin', description: 'highest mean 1 − (p1 − p2)', source: 'PixelPick, Shin et al., ICCV 2021; baal Margin', make: async () => new MarginAgent() });
registerAgent({ name: 'class-balanced', description: 'mean p2/p1 down-weighted by exp(−share of its dominant class among candidates)', source: 'Cai et al., CVPR 2021', make: async () => new ClassBalancedAgent() });
registerAgent({ name: 'impurity', description: 'region impurity × uncertainty (3×3 windows)', source: 'RIPU, Xie et al., CVPR 2022', make: async () => new ImpurityAgent() });
registerAgent({ name: 'power-entropy', arg: temperature, description: 'entropy, sampled ∝ score^(1/T) per pool', source: 'Kirsch et al., TMLR 2023 (stochastic batch acquisition)', make: async (a) => new PowerAgent('power-entropy', 'entropy', parseTemperature(a)), identify: (a) => powerId('power-entropy', a) });
registerAgent({ name: 'power-bald', arg: temperature, description: 'BALD, sampled ∝ score^(1/T) per pool', source: 'Kirsch et al., TMLR 2023 (stochastic batch acquisition)', make: async (a) => new PowerAgent('power-bald', 'bald', parseTemperature(a)), identify: (a) => powerId('power-bald', a) });
registerAgent({ name: 'coreset', description: 'k-center greedy on region-mean learner features', source: 'Sener & Savarese, ICLR 2018', make: async () => new CoresetAgent() });
registerAgent({ name: 'badge', description: 'k-means++ seeding on region gradient embeddings', source: 'Ash et al., ICLR 2020', make: async () => new BadgeAgent() });
registerAgent({ name: 'image-random', description: 'whole images, uniformly at random (budget in regions)', source: 'the RALIS paper\'s RQ2 comparison', mirrors: 'random', make: async () => new ImageRandomAgent() });
registerAgent({ name: 'image-entropy', description: 'whole images of highest mean entropy (budget in regions)', source: 'the RALIS paper\'s RQ2 comparison', mirrors: 'entropy', make: async () => new ImageEntropyAgent() });
registerAgent({
  name: 'oracle',
  arg: { name: 'S', required: false, help: 'candidates probed per pool, default 2' },
  description: 'UPPER BOUND, reads the labels: per pool the best of S probed candidates by measured reward',
  source: "in the spirit of CDALBench's greedy oracle (Zhan et al.)",
  make: async (a) => new OracleAgent(parseSamples(a)),
  identify: (a) => `oracle=${parseSamples(a)}`,
});
registerAgent({
  name: 'dqn',
  arg: { name: 'policy dir', required: true, help: "a directory written by 'regiongym train-policy' (its policy/ folder)" },
  description: 'the RALIS batch DQN, greedy with a trained policy',
  source: 'Casanova et al., ICLR 2020',
  make: async (dir) => DqnAgent.load(dir!),
  identify: (dir) => policyId(dir!),
  trained: true,
});
registerAgent({
  name: MODULE_AGENT,
  arg: { name: 'path[#Export]', required: true, help: 'your own agent module: --agents ./my-agent.ts (see README, "Add your agent")' },
  description: 'an agent from your own module (a path ending in .ts, .mts, .js or .mjs)',
  source: 'yours',
  make: async (a) => loadModuleAgent(a!),
  identify: (a) => moduleAgentId(parseModuleRef(a!)),
});
registerAgent({
  name: EXEC_AGENT,
  arg: { name: 'command', required: true, help: 'a program speaking clients/PROTOCOL.md on stdin/stdout: --agents "exec:python3 my_agent.py"' },
  description: 'an agent in any language: a program talking JSON lines (clients/python has a client)',
  source: 'yours',
  make: async (a) => ExecAgent.start(a!),
  identify: (a) => execAgentId(a!),
});
