/**
 * `npm run bench:episode -- --protocol P`: wall time of one whole episode of a protocol's env, split
 * by stage from the env's own step events (features, training, reward evaluation) plus the agent's
 * decision time and the reset. Timings live here, never in tests.
 */
import { Command } from 'commander';
import { Rng } from '../../core/rng.ts';
import { makeAgent, parseAgentList } from '../../agents/registry.ts';
import '../../agents/catalog.ts';
import { makeEnv, resolveProtocol, type Phase } from '../../env/make-env.ts';
import { addComputeOptions, initCompute, type ComputeOptions } from '../cli/compute-flags.ts';
import { choiceOption, intOption } from '../cli/options.ts';
import { median } from '../leaderboard/stats.ts';

interface Opts extends ComputeOptions {
  protocol: string;
  phase: Phase;
  agent: string;
  budget?: number;
  seed: number;
  root?: string;
  json: boolean;
}

const program = addComputeOptions(new Command('bench:episode'), 'wasm')
  .option('--protocol <name|file>', 'registered id, shipped protocol name or protocol file', 'synthetic-quick')
  .option('--phase <phase>', "policy (a training episode: the protocol's policyBudget) | eval (to its largest budget)", choiceOption('--phase', ['policy', 'eval'] as const), 'policy')
  .option('--agent <spec>', 'random | entropy | bald | dqn=<dir>', 'random')
  .option('--budget <regions>', 'episode budget in regions (default: by phase)', intOption('--budget', 1))
  .option('--seed <n>', 'reset seed', intOption('--seed'), 0)
  .option('--root <dir>', 'data folder of a real data set')
  .option('--json', 'print the figures as JSON', false)
  .parse(process.argv);
const o = program.opts<Opts>();
const { backend, inference, training } = await initCompute(o);
const protocol = resolveProtocol(o.protocol);
const agent = await makeAgent(parseAgentList(o.agent)[0]!);
const env = makeEnv(protocol, { phase: o.phase, budgetRegions: o.budget, dataRoot: o.root, statistics: agent.needs ?? [], labelUnit: agent.labelUnit });
agent.attach?.(env);
const steps: { featuresMs: number; trainMs: number; evalMs: number; actMs: number; stepMs: number }[] = [];
let resetMs = 0;
let pending = { featuresMs: 0, trainMs: 0, evalMs: 0 };
env.events$.subscribe((e) => {
  if (e.type === 'reset') resetMs = e.ms;
  if (e.type === 'step') pending = e.timings;
});
const t0 = performance.now();
let [obs, info] = await env.reset({ seed: o.seed });
const firstObsMs = performance.now() - t0;
const rng = new Rng(o.seed);
for (let done = false; !done; ) {
  const ta = performance.now();
  const action = await agent.act(obs, info, rng);
  const actMs = performance.now() - ta;
  const ts = performance.now();
  const [next, , terminated, truncated, nextInfo] = await env.step(action);
  steps.push({ ...pending, actMs, stepMs: performance.now() - ts + actMs });
  [obs, info, done] = [next, nextInfo, terminated || truncated];
}
const episodeMs = performance.now() - t0;
env.close();
agent.dispose?.();

const stages = ['featuresMs', 'trainMs', 'evalMs', 'actMs', 'stepMs'] as const;
const perStep = Object.fromEntries(stages.map((s) => [s, median(steps.map((x) => x[s]))]));
const total = Object.fromEntries(stages.map((s) => [s, steps.reduce((a, x) => a + x[s], 0)]));
const result = { protocol: protocol.name, phase: o.phase, agent: o.agent, backend, inference, training, steps: steps.length, regions: info.usedRegions, resetMs, firstObservationMs: firstObsMs, episodeMs, medianStep: perStep, episodeTotals: total };
if (o.json) {
  console.log(JSON.stringify(result, null, 1));
} else {
  console.log(`${protocol.name} (${o.phase} phase), agent ${o.agent}, backend ${backend}, inference ${inference}, training ${training}: ${steps.length} steps to ${info.usedRegions} regions`);
  console.log('stage                median step ms   episode total s');
  const names: Record<(typeof stages)[number], string> = { featuresMs: 'features (obs)', trainMs: 'training', evalMs: 'reward eval', actMs: 'agent act', stepMs: 'whole step' };
  for (const s of stages) console.log(`${names[s].padEnd(20)}${perStep[s]!.toFixed(0).padStart(15)}${(total[s]! / 1000).toFixed(1).padStart(18)}`);
  console.log(`reset (model copy + first reward eval + first obs): ${(firstObsMs / 1000).toFixed(1)} s; whole episode ${(episodeMs / 1000).toFixed(1)} s`);
}
