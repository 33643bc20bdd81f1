/**
 * Bad inputs and faults a careful user (or a hostile file) tries, as command-line cases: each must exit 2
 * with one line on stderr that names the bad value (no stack trace), and write or change nothing. Cases
 * that are not refusals (a hostile label escaped, a torn runs file repaired, a lapsed claim taken over)
 * say the exit code they expect and check what they left with `after`. Shared by
 * scripts/fault-matrix.ts (all of them) and test/faults.test.ts (one per issue item).
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadProtocol } from '../env/protocol/load.ts';
import { protocolFieldHashes, protocolHash } from '../env/protocol/hash.ts';
import { trajectoryId } from '../benchmarks/sweep/identity.ts';
import { childExit, type ChildExit } from './child-exit.ts';

export interface FaultCase {
  readonly name: string;
  /** Issue item it checks (the reliability issue's numbered list), for the test suite's selection. */
  readonly item?: number;
  /** Arguments after `regiongym`; `$D` is replaced by the case's scratch directory. */
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** Files to create in the scratch directory first. */
  readonly setup?: (dir: string) => void;
  /** What stderr's one line must match. */
  readonly message: RegExp;
  /** Paths (relative to the scratch directory) that must not exist after the run. */
  readonly absent?: readonly string[];
  /** The reliability issue's class (34.1 … 34.8) a case covers. */
  readonly cls?: number;
  /** Not a refusal: the exit code expected (default 2, with the one-line and nothing-changed checks). */
  readonly exit?: number;
  /** Not a refusal: what must hold afterwards (null: it does; else why not). */
  readonly after?: (dir: string, stderr: string) => string | null;
}

const tinyProtocol = () => {
  const p = loadProtocol('synthetic-quick');
  return { ...p, name: 'tiny-faults', data: { name: 'synthetic', scale: 0.1, synthetic: { seed: 1, counts: { d_t: 3, d_s: 1, d_v: 4, val: 2, test: 2 } } }, poolsPerStep: 3, poolSize: { policy: 3, eval: 3 }, budgets: [6, 12], policyBudget: 6, seeds: [1, 2], segmentation: { ...p.segmentation, crop: 16, batchSize: 4 }, initialModel: { evaluation: 'scratch', pretrainEpochs: 0 }, finalTraining: { epochs: 2, patience: 2 } };
};
const write = (dir: string, name: string, content: string | object) => {
  mkdirSync(join(dir, ...name.split('/').slice(0, -1)), { recursive: true });
  writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
};
const protocolFile = (over: object = {}) => (dir: string) => write(dir, 'p.json', { ...tinyProtocol(), ...over });
/** A valid record of the tiny protocol (as bench would write it), with fields overridden. */
const record = (over: object = {}) => {
  const p = JSON.parse(JSON.stringify(tinyProtocol()));
  return {
    schema: 2, protocol: p.name, protocolHash: protocolHash(p), protocolFields: protocolFieldHashes(p), model: { name: 'unet-s' }, dataset: { name: 'synthetic', classNames: ['a'] }, agent: 'random', agentId: 'random', privileged: false, baseline: true, trajectory: 't', seed: 1, budgetRegions: 6, budgetPixels: 6, usedRegions: 6, labelingSteps: 2,
    testMIoU: 0.3, testPerClassIoU: [0.3], testPixelAccuracy: 0.5, rewardMIoUAfterLabeling: 0.3, rewardMIoUFinal: 0.3, finalTrainingEpochs: 1, labeledClassHistogram: [1, 0], labeledClassBalanceEntropy: 0, overlayRegions: [[], [], []],
    timings: { labelingMs: 1, finalTrainMs: 1, testMs: 1 }, backend: 'wasm', inference: 'tfjs', training: 'tfjs', versions: { regiongym: '0.2.0', tfjs: '4', node: 'v20' }, finishedAt: 'x', ...over,
  };
};
/** The run list's id of the tiny protocol's random trajectory for `seed`. */
const trajectoryOf = (seed: number) => trajectoryId(protocolHash(JSON.parse(JSON.stringify(tinyProtocol()))), 'random', seed);
const lines = (...rs: object[]) => rs.map((r) => JSON.stringify(r)).join('\n') + '\n';
const policyDir = (dir: string, files: Record<string, string | Buffer>) => {
  mkdirSync(join(dir, 'pol'), { recursive: true });
  for (const [f, c] of Object.entries(files)) writeFileSync(join(dir, 'pol', f), c);
};
const bench = (...a: string[]) => ['bench', '--protocol', '$D/p.json', '--out', '$D/runs.jsonl', ...a];
const P = protocolFile();

const read = (dir: string, f: string) => (existsSync(join(dir, f)) ? readFileSync(join(dir, f), 'utf8') : '');
/** Every line of a runs file parses (no torn or middle line left). */
const wholeLines = (text: string) => text.split('\n').filter((l) => l.trim()).every((l) => {
  try {
    JSON.parse(l);
    return true;
  } catch {
    return false;
  }
});
const HOSTILE_HTML = 'x" onerror="alert(1)" data-x="';
const HOSTILE_MD = 'a | b ![i](http://example.invalid/i.png) <script>alert(1)</script>';
const hostileBoard = (dir: string) => write(dir, 'r.jsonl', lines(...[1, 2].flatMap((seed) => [record({ seed }), record({ seed, agent: HOSTILE_HTML, agentId: 'h1', trajectory: `h${seed}` }), record({ seed, agent: HOSTILE_MD, agentId: 'h2', trajectory: `m${seed}` })])));
const tinyRun = ['--agents', 'random', '--seeds', '1', '--budgets', '6', '--workers', '1', '--threads', '1', '--inference', 'tfjs', '--training', 'tfjs'];

/** The reliability issue's eight classes (34.1 … 34.8), one or more cases each. */
const RELIABILITY_CASES: readonly FaultCase[] = [
  // 1: labels reach pages escaped by context
  {
    name: 'hostile agent labels on the leaderboard: escaped in HTML attributes and text, Markdown cells and links',
    cls: 1, exit: 0, setup: hostileBoard, args: ['leaderboard', '$D/r.jsonl', '--out', '$D/lb', '--no-overlays'], message: /./,
    after: (d) => {
      const html = read(d, 'lb/index.html');
      const md = read(d, 'lb/leaderboard.md');
      if (!html) return 'no index.html';
      // a handler inside a tag (an attribute), or a script element: text nodes may hold the label's quotes
      // the label's raw quotes inside a tag would end an attribute and start a handler; in text nodes they are inert
      if (/<[^>]*x" onerror="alert/.test(html) || /<script/i.test(html)) return 'index.html carries a live handler or script';
      if (/!\[i\]\(http/.test(md) || /<script>/.test(md)) return 'leaderboard.md embeds a remote image or raw HTML';
      const row = md.split('\n').find((l) => l.startsWith('| a ') || l.startsWith('| a \\|'));
      if (row && row.split(/(?<!\\)\|/).length !== md.split('\n').find((l) => l.startsWith('| agent |'))!.split(/(?<!\\)\|/).length) return 'a | in a label forged a table cell';
      return null;
    },
  },
  // 2: a runs file's fields are data, never paths to open
  { name: 'run record whose protocol is a path', cls: 2, setup: (d) => write(d, 'r.jsonl', lines(record({ protocol: '../../../../etc/passwd' }))), args: ['leaderboard', '$D/r.jsonl', '--out', '$D/lb'], message: /r\.jsonl:1 is invalid: protocol: must match pattern/, absent: ['lb'] },
  { name: 'run record of an unshipped protocol: overlays skipped, nothing opened', cls: 2, exit: 0, setup: (d) => write(d, 'r.jsonl', lines(record(), record({ seed: 2 }))), args: ['leaderboard', '$D/r.jsonl', '--out', '$D/lb'], message: /./, after: (_d, err) => (/is not a shipped protocol: pass --protocol FILE/.test(err) ? null : 'overlays were not refused for an unshipped protocol name') },
  // 3: a torn tail is set aside, a file that is not a runs file is refused
  {
    name: 'torn last line, then a resumed bench: the torn bytes set aside, every line whole',
    cls: 3, exit: 0, setup: (d) => (P(d), write(d, 'runs.jsonl', lines(record({ seed: 2, trajectory: trajectoryOf(2) })) + '{"schema":2,"protocol":"tiny-fau')), args: bench(...tinyRun), message: /./,
    after: (d, err) => {
      const text = read(d, 'runs.jsonl');
      if (!wholeLines(text)) return 'runs.jsonl has a line that is not JSON';
      if (text.trim().split('\n').length !== 2) return `expected 2 records, found ${text.trim().split('\n').length}`;
      const side = readdirSync(d).find((f) => f.startsWith('runs.jsonl.torn-'));
      if (!side || read(d, side) !== '{"schema":2,"protocol":"tiny-fau') return 'the torn bytes were not set aside';
      return /torn line/.test(err) ? null : 'the repair was not reported';
    },
  },
  { name: '--out a text file without a final newline', cls: 3, setup: (d) => (P(d), write(d, 'notes.txt', 'my notes')), args: ['bench', '--protocol', '$D/p.json', '--out', '$D/notes.txt', ...tinyRun], message: /notes\.txt:1 is not JSON \(and not a torn record: is this a runs file\?\)/ },
  { name: 'runs file with a torn last line: the leaderboard says it skipped it', cls: 6, exit: 0, setup: (d) => write(d, 'r.jsonl', lines(record(), record({ seed: 2 })) + '{"sch'), args: ['leaderboard', '$D/r.jsonl', '--out', '$D/lb', '--no-overlays'], message: /./, after: (_d, err) => (/ends in a torn line/.test(err) ? null : 'the torn line was dropped without a word') },
  // 4: lapsed claims are taken over and said so; nothing is skipped in silence
  {
    name: 'a claim held by another host whose lease lapsed: taken over, the run done',
    cls: 4, exit: 0, env: { REGIONGYM_CLAIM_LEASE_S: '2' },
    setup: (d) => {
      P(d);
      write(d, `runs.jsonl.claims/${trajectoryOf(1)}`, '4242 preempted-node\n');
      const old = new Date(Date.now() - 60_000);
      utimesSync(join(d, `runs.jsonl.claims/${trajectoryOf(1)}`), old, old);
    },
    args: bench(...tinyRun), message: /./,
    after: (d, err) => (!/claim taken over from pid 4242 on preempted-node/.test(err) ? 'the takeover was not reported' : read(d, 'runs.jsonl').trim().split('\n').length !== 1 ? 'the run was not done' : null),
  },
  {
    name: 'a claim another host holds and keeps fresh: the bench waits for it, then runs what it left',
    // a lease long enough that the bench starts (a few seconds under load) before it lapses
    cls: 4, exit: 0, env: { REGIONGYM_CLAIM_LEASE_S: '15' },
    setup: (d) => (P(d), write(d, `runs.jsonl.claims/${trajectoryOf(1)}`, '4242 busy-node\n')),
    args: bench(...tinyRun), message: /./,
    after: (d, err) => (!/waiting for 1 trajectories other benches are running: random seed 1 \(pid 4242 on busy-node\)/.test(err) ? 'the wait was not reported' : read(d, 'runs.jsonl').trim().split('\n').length !== 1 ? 'the run was not done after the lease lapsed' : null),
  },
  // 5: one line, not a stack
  { name: 'claims directory is a file', cls: 5, setup: (d) => (P(d), write(d, 'runs.jsonl.claims', 'x')), args: bench(...tinyRun), message: /cannot create lock .*runs\.jsonl\.claims/ },
  { name: '--shard with an existing file as --out', cls: 5, setup: (d) => (P(d), write(d, 'runs.jsonl', '')), args: bench(...tinyRun, '--shard', '0/1'), message: /runs\.jsonl/ },
  { name: 'train-policy seed beyond 32 bits', cls: 5, setup: P, args: ['train-policy', '--protocol', '$D/p.json', '--out', '$D/tp', '--seed', '4294967296'], message: /--seed must be an integer ≤ 4294967295, got '4294967296'/, absent: ['tp'] },
  { name: 'train-supervised scale too small to hold a region', cls: 5, args: ['train-supervised', '--scale', '0.001'], message: /--scale must be a number in \(0\.05, 1\], got '0\.001'/ },
  { name: 'protocol with data.scale 1e-9', cls: 5, setup: (d) => write(d, 'p.json', { ...tinyProtocol(), data: { ...tinyProtocol().data, scale: 1e-9 } }), args: bench(), message: /data\.scale = 1e-9: must be >= 0\.05/ },
  { name: 'protocol with a huge batch size', cls: 5, setup: (d) => write(d, 'p.json', { ...tinyProtocol(), segmentation: { ...tinyProtocol().segmentation, batchSize: 1e9 } }), args: bench(), message: /segmentation\.batchSize = 1000000000: must be <= 4096/ },
  // 6: silent wrong results
  { name: 'reward split equal to the test split', cls: 6, setup: protocolFile({ splits: { policyPool: 'd_t', evalPool: 'd_v', state: 'd_s', reward: 'test', test: 'test' } }), args: bench(), message: /splits\.reward 'test' and splits\.test 'test' share images/ },
  { name: 'policy pool equal to the evaluation pool', cls: 6, setup: protocolFile({ splits: { policyPool: 'd_v', evalPool: 'd_v', state: 'd_s', reward: 'val', test: 'test' } }), args: ['check-env', '--protocol', '$D/p.json'], message: /splits\.policyPool 'd_v' and splits\.evalPool 'd_v' share images/ },
  { name: 'state set inside the train split used as a pool', cls: 6, setup: protocolFile({ splits: { policyPool: 'train', evalPool: 'd_v', state: 'd_s', reward: 'val', test: 'test' } }), args: bench(), message: /splits\.policyPool 'train' and splits\.evalPool 'd_v' share images/ },
  { name: 'one agent written three ways', cls: 6, setup: P, args: bench('--agents', 'power-entropy,power-entropy=1,power-entropy=1.0'), message: /names 'power-entropy=1' twice/ },
  // 7: names that are also object members
  { name: "--protocol __proto__", cls: 7, args: ['check-env', '--protocol', '__proto__'], message: /unknown protocol '__proto__'/ },
  { name: '--protocol constructor', cls: 7, args: ['bench', '--protocol', 'constructor', '--out', '$D/r.jsonl'], message: /unknown protocol 'constructor'/, absent: ['r.jsonl'] },
  { name: '--protocol toString', cls: 7, args: ['check-env', '--protocol', 'toString'], message: /unknown protocol 'toString'/ },
  { name: '--agents __proto__', cls: 7, setup: P, args: bench('--agents', '__proto__'), message: /unknown agent '__proto__'/ },
  { name: 'a 250-character protocol name', cls: 7, setup: protocolFile({ name: 'a'.repeat(250) }), args: bench(), message: /name = "a+": must NOT have more than 64 characters/ },
];

export const FAULT_CASES: readonly FaultCase[] = [
  // protocols
  { name: 'unknown protocol name', args: ['bench', '--protocol', 'nope', '--out', '$D/r.jsonl'], message: /unknown protocol 'nope'/, absent: ['r.jsonl'] },
  { name: 'protocol file not JSON', setup: (d) => write(d, 'p.json', '{x'), args: bench(), message: /p\.json is not valid JSON/ },
  { name: 'region height below 8', setup: protocolFile({ regions: { height: 5, width: 16 } }), args: bench(), message: /regions\.height = 5: must be >= 8/ },
  { name: 'budgets not ascending', setup: protocolFile({ budgets: [12, 6] }), args: bench(), message: /budgets = \[12,6\] must be strictly ascending/ },
  { name: 'budget not a multiple of K', setup: protocolFile({ budgets: [7] }), args: bench(), message: /budget 7 is not a multiple of poolsPerStep = 3/ },
  { name: 'unknown protocol field', setup: protocolFile({ colour: 'red' }), args: bench(), message: /unknown field 'colour'/ },
  { name: 'unknown learner', setup: protocolFile({ model: { name: 'resnet' } }), args: bench(), message: /unknown learner 'resnet': registered learners are unet-s, frozen-encoder/ },
  { name: 'bad learner setting', setup: protocolFile({ model: { name: 'frozen-encoder', head: 'cnn' } }), args: bench(), message: /model\.head = "cnn"/ },
  { name: 'linear head with a hidden width', setup: protocolFile({ model: { name: 'frozen-encoder', hidden: 64 } }), args: bench(), message: /a linear head has no hidden layer/ },
  { name: 'evaluation pool equal to the test split', setup: protocolFile({ splits: { policyPool: 'd_t', evalPool: 'test', state: 'd_s', reward: 'val', test: 'test' } }), args: bench(), message: /evalPool 'test' must differ/ },
  // agents
  { name: 'empty --agents', item: 6, setup: P, args: bench('--agents', ''), message: /--agents is empty/, absent: ['runs.jsonl'] },
  { name: 'empty agent item', setup: P, args: bench('--agents', 'random,,entropy'), message: /item 2 is empty/ },
  { name: 'agent named twice', setup: P, args: bench('--agents', 'random,random'), message: /names 'random' twice/ },
  { name: 'unknown agent', setup: P, args: bench('--agents', 'kcenter'), message: /unknown agent 'kcenter': registered agents are random/ },
  { name: 'dqn without a policy', setup: P, args: bench('--agents', 'dqn'), message: /agent 'dqn' needs policy dir/ },
  { name: 'dqn policy directory missing', item: 5, setup: P, args: bench('--agents', 'dqn=$D/none'), message: /none\/model\.json is missing/ },
  { name: 'dqn policy with empty weights', item: 5, setup: (d) => (P(d), policyDir(d, { 'model.json': JSON.stringify({ format: 'regiongym/ralis-dqn', modelTopology: { shape: { stateRegions: 6, stateFeatures: 204, actionFeatures: 268 } }, weightsManifest: [{ paths: ['./weights.bin'], weights: [{ name: 'state1/w', shape: [204, 256], dtype: 'float32' }] }] }), 'weights.bin': '' })), args: bench('--agents', 'dqn=$D/pol'), message: /weights\.bin: 0 bytes, expected 208896/ },
  { name: 'dqn policy with garbage model.json', item: 5, setup: (d) => (P(d), policyDir(d, { 'model.json': 'garbage', 'weights.bin': '' })), args: bench('--agents', 'dqn=$D/pol'), message: /cannot read .*pol\/model\.json/ },
  { name: 'argument to an agent that takes none', setup: P, args: bench('--agents', 'random=3'), message: /random takes no argument/ },
  { name: 'negative power temperature', setup: P, args: bench('--agents', 'power-entropy=-1'), message: /temperature T > 0 .* got '-1'/ },
  { name: 'oracle with 0 samples', setup: P, args: bench('--agents', 'oracle=0'), message: /oracle=S takes a whole number .* got '0'/ },
  // number lists
  { name: 'empty --seeds', item: 6, setup: P, args: bench('--seeds', ''), message: /--seeds is empty/ },
  { name: 'empty seed item', item: 6, setup: P, args: bench('--seeds', '1,,2'), message: /--seeds '1,,2': item 2 is empty/ },
  { name: 'repeated seed', item: 6, setup: P, args: bench('--seeds', '1,1'), message: /--seeds '1,1' lists 1 twice/ },
  { name: 'negative seed', setup: P, args: bench('--seeds', '-1'), message: /'-1' is not an integer in \[0, 4294967295\]/ },
  { name: 'seed beyond 32 bits', item: 5, setup: P, args: bench('--seeds', '99999999999'), message: /'99999999999' is not an integer in \[0, 4294967295\]/ },
  { name: 'seed not a number', setup: P, args: bench('--seeds', 'abc'), message: /'abc' is not an integer/ },
  { name: 'budget 0', item: 5, setup: P, args: bench('--budgets', '0'), message: /'0' is not an integer in \[1, / },
  { name: 'repeated budget', item: 6, setup: P, args: bench('--budgets', '6,6'), message: /--budgets '6,6' lists 6 twice/ },
  { name: 'budget not a multiple of K (flag)', setup: P, args: bench('--budgets', '5'), message: /budget 5 is not a multiple of poolsPerStep = 3/ },
  { name: 'budget beyond the pool', item: 8, setup: P, args: bench('--budgets', '999'), message: /budget 999 is more than the \d+ regions of the evaluation pool/ },
  { name: 'K beyond the pool', item: 8, setup: protocolFile({ poolsPerStep: 600, budgets: [600], policyBudget: 600 }), args: bench(), message: /poolsPerStep = 600 is more than the \d+ regions of the evaluation pool/ },
  { name: 'region size that does not tile the image', item: 5, setup: protocolFile({ regions: { height: 10, width: 16 } }), args: bench(), message: /region 10×16 does not tile the 36×48 image/ },
  { name: '0 workers', setup: P, args: bench('--workers', '0'), message: /--workers must be an integer ≥ 1, got '0'/ },
  { name: '0 threads', setup: P, args: bench('--threads', '0'), message: /--threads must be an integer ≥ 1, got '0'/ },
  // engines
  { name: 'unknown backend', setup: P, args: bench('--backend', 'gpu'), message: /--backend must be one of auto, wasm, cpu, node, node-gpu, got 'gpu'/ },
  { name: 'backend node without tfjs-node', item: 5, setup: P, args: bench('--backend', 'node'), message: /backend 'node' cannot load: @tensorflow\/tfjs-node did not load/ },
  { name: 'backend node-gpu without tfjs-node-gpu', item: 5, setup: P, args: bench('--backend', 'node-gpu'), message: /backend 'node-gpu' cannot load/ },
  { name: 'unknown inference engine', setup: P, args: bench('--inference', 'gpu'), message: /--inference must be one of auto, tfjs, ort, got 'gpu'/ },
  { name: 'unknown training engine', setup: P, args: bench('--training', 'gpu'), message: /--training must be one of auto, tfjs, ort, got 'gpu'/ },
  // output and shards
  { name: '--out is a directory', item: 5, setup: (d) => (P(d), mkdirSync(join(d, 'outdir'))), args: ['bench', '--protocol', '$D/p.json', '--out', '$D/outdir'], message: /--out .*outdir is a directory/ },
  { name: 'shard index out of range', setup: P, args: bench('--shard', '3/3'), message: /shard index 3 is not in 0\.\.2/ },
  { name: 'shard not i/n', setup: P, args: bench('--shard', 'abc'), message: /--shard 'abc': expected i\/n/ },
  { name: 'Kubernetes index without a count', setup: P, args: bench(), env: { JOB_COMPLETION_INDEX: '1' }, message: /JOB_COMPLETION_INDEX is set .* pass --shards/ },
  { name: 'Slurm index beyond the count', setup: P, args: bench(), env: { SLURM_ARRAY_TASK_ID: '5', SLURM_ARRAY_TASK_COUNT: '2' }, message: /SLURM_ARRAY_TASK_ID: shard index 5 is not in 0\.\.1/ },
  // runs files
  { name: 'runs file with a garbage line', setup: (d) => (P(d), write(d, 'runs.jsonl', lines(record()) + 'garbage\n' + lines(record({ seed: 2 })))), args: bench(), message: /runs\.jsonl:2 is not JSON/ },
  { name: 'runs file of an edited protocol of the same name', item: 3, setup: (d) => (P(d), write(d, 'runs.jsonl', lines(record({ protocolHash: 'x', protocolFields: { ...record().protocolFields, data: 'zzzzzzzz' } })))), args: bench(), message: /holds runs of protocol 'tiny-faults' with other content \(changed: data\)/ },
  { name: 'runs file of another gradient engine', setup: (d) => (P(d), write(d, 'runs.jsonl', lines(record({ training: 'ort' })))), args: bench('--training', 'tfjs'), message: /holds runs trained with 'ort' gradients; --training tfjs would mix engines/ },
  { name: 'runs file with a schema-1 record', setup: (d) => (P(d), write(d, 'runs.jsonl', lines({ schema: 1, protocol: 'x' }))), args: bench(), message: /schema-1 record from regiongym 0\.1/ },
  { name: 'CamVid folder that is not one', item: 8, setup: (d) => mkdirSync(join(d, 'cv')), args: ['bench', '--protocol', 'camvid-ralis-unet', '--root', '$D/cv', '--out', '$D/r.jsonl'], message: /is not a CamVid folder: .*cv\/train is missing/ },
  { name: 'CamVid without a folder', item: 8, args: ['bench', '--protocol', 'camvid-ralis-unet', '--out', '$D/r.jsonl'], env: { REGIONGYM_CAMVID: '' }, message: /no CamVid folder given: pass --root DIR or set REGIONGYM_CAMVID/ },
  { name: 'feature cache under a file', setup: (d) => write(d, 'afile', 'x'), args: ['bench', '--protocol', 'synthetic-frozen', '--cache-dir', '$D/afile/cache', '--out', '$D/r.jsonl'], message: /feature cache directory .*afile\/cache.* is not writable/ },
  // leaderboard
  { name: 'leaderboard of a missing file', item: 2, args: ['leaderboard', '$D/none.jsonl', '--out', '$D/lb'], message: /none\.jsonl: no such runs file or directory/, absent: ['lb'] },
  { name: 'leaderboard of an empty directory', item: 2, setup: (d) => mkdirSync(join(d, 'empty')), args: ['leaderboard', '$D/empty', '--out', '$D/lb'], message: /a directory with no \*\.jsonl runs files/, absent: ['lb'] },
  { name: 'leaderboard of the same file twice', item: 2, setup: (d) => write(d, 'r.jsonl', lines(record(), record({ seed: 2 }))), args: ['leaderboard', '$D/r.jsonl', '$D/r.jsonl', '--out', '$D/lb', '--no-overlays'], message: /two records for random seed 1 budget 6: the same run twice/, absent: ['lb'] },
  { name: 'leaderboard of two protocols', item: 8, setup: (d) => write(d, 'r.jsonl', lines(record(), record({ protocol: 'other', protocolHash: 'h2', seed: 2 }))), args: ['leaderboard', '$D/r.jsonl', '--out', '$D/lb', '--no-overlays'], message: /a leaderboard covers one protocol/, absent: ['lb'] },
  { name: 'leaderboard of mixed engines', item: 2, setup: (d) => write(d, 'r.jsonl', lines(record(), record({ training: 'ort', seed: 2 }))), args: ['leaderboard', '$D/r.jsonl', '--out', '$D/lb', '--no-overlays'], message: /mix gradient engines \(tfjs, ort\)/, absent: ['lb'] },
  { name: 'leaderboard --upper-bound missing', item: 8, setup: (d) => write(d, 'r.jsonl', lines(record())), args: ['leaderboard', '$D/r.jsonl', '--out', '$D/lb', '--upper-bound', '$D/none.json'], message: /--upper-bound .*none\.json: no such file/, absent: ['lb'] },
  { name: 'leaderboard --upper-bound garbage', item: 8, setup: (d) => (write(d, 'r.jsonl', lines(record())), write(d, 'ub.json', 'x')), args: ['leaderboard', '$D/r.jsonl', '--out', '$D/lb', '--upper-bound', '$D/ub.json'], message: /--upper-bound .*ub\.json is not JSON/, absent: ['lb'] },
  { name: 'leaderboard --upper-bound without test.mIoU', item: 8, setup: (d) => (write(d, 'r.jsonl', lines(record())), write(d, 'ub.json', { val: 1 })), args: ['leaderboard', '$D/r.jsonl', '--out', '$D/lb', '--upper-bound', '$D/ub.json'], message: /expected test\.mIoU in \[0, 1\]/, absent: ['lb'] },
  { name: 'leaderboard --upper-bound a directory', item: 8, setup: (d) => (write(d, 'r.jsonl', lines(record())), mkdirSync(join(d, 'ubdir'))), args: ['leaderboard', '$D/r.jsonl', '--out', '$D/lb', '--upper-bound', '$D/ubdir'], message: /--upper-bound .*ubdir: no such file/, absent: ['lb'] },
  { name: 'leaderboard of an empty runs file', setup: (d) => write(d, 'r.jsonl', ''), args: ['leaderboard', '$D/r.jsonl', '--out', '$D/lb'], message: /no run records/, absent: ['lb'] },
  // merge
  { name: 'merge with planned runs missing', setup: (d) => (P(d), write(d, 'shards/a.jsonl', lines(record({ trajectory: trajectoryOf(1) })))), args: ['merge', '$D/shards', '--protocol', '$D/p.json', '--agents', 'random', '--out', '$D/m.jsonl'], message: /planned runs are missing/, absent: ['m.jsonl'] },
  { name: 'merge of two different records for one run', setup: (d) => (P(d), write(d, 'shards/a.jsonl', lines(record())), write(d, 'shards/b.jsonl', lines(record({ testMIoU: 0.4 })))), args: ['merge', '$D/shards', '--protocol', '$D/p.json', '--agents', 'random', '--out', '$D/m.jsonl'], message: /two different records for random seed 1 budget 6/, absent: ['m.jsonl'] },
  { name: 'merge of another protocol content', setup: (d) => (P(d), write(d, 'shards/a.jsonl', lines(record({ protocolHash: 'other' })))), args: ['merge', '$D/shards', '--protocol', '$D/p.json', '--agents', 'random', '--out', '$D/m.jsonl'], message: /with content other, not this protocol's/, absent: ['m.jsonl'] },
  { name: 'merge of a missing path', args: ['merge', '$D/none', '--out', '$D/m.jsonl'], message: /none: no such runs file or directory/, absent: ['m.jsonl'] },
  // policy training
  { name: 'train-policy --resume over a policy without a record', item: 4, setup: (d) => (P(d), policyDir(d, {}), mkdirSync(join(d, 'tp', 'policy'), { recursive: true }), writeFileSync(join(d, 'tp', 'policy', 'model.json'), '{}')), args: ['train-policy', '--protocol', '$D/p.json', '--out', '$D/tp', '--resume'], message: /holds a policy but no training\.json: cannot resume it/ },
  { name: 'train-policy --resume with another seed', item: 4, setup: (d) => (P(d), write(d, 'tp/training.json', { protocol: 'tiny-faults', protocolHash: protocolHash(JSON.parse(JSON.stringify(tinyProtocol()))), seed: 0, episodes: 1, history: [] })), args: ['train-policy', '--protocol', '$D/p.json', '--out', '$D/tp', '--resume', '--seed', '5'], message: /was trained with --seed 0, not 5/ },
  { name: 'train-policy --resume on another protocol', item: 4, setup: (d) => (P(d), write(d, 'tp/training.json', { protocol: 'x', protocolHash: 'h', seed: 0, episodes: 1, history: [] })), args: ['train-policy', '--protocol', '$D/p.json', '--out', '$D/tp', '--resume'], message: /was trained on protocol 'x' \(h\)/ },
  { name: 'train-policy with a corrupt record', item: 4, setup: (d) => (P(d), write(d, 'tp/training.json', 'x')), args: ['train-policy', '--protocol', '$D/p.json', '--out', '$D/tp', '--resume'], message: /tp\/training\.json is not a training record/ },
  { name: 'train-policy into a directory with a policy, no --resume', item: 4, setup: (d) => (P(d), mkdirSync(join(d, 'tp', 'policy'), { recursive: true }), writeFileSync(join(d, 'tp', 'policy', 'model.json'), '{}')), args: ['train-policy', '--protocol', '$D/p.json', '--out', '$D/tp'], message: /already holds a policy: pass --resume/ },
  { name: 'train-policy 0 episodes', setup: P, args: ['train-policy', '--protocol', '$D/p.json', '--out', '$D/tp', '--episodes', '0'], message: /--episodes must be an integer ≥ 1, got '0'/, absent: ['tp'] },
  { name: 'train-policy lr decay above 1', setup: P, args: ['train-policy', '--protocol', '$D/p.json', '--out', '$D/tp', '--lr-decay', '2'], message: /--lr-decay must be a number in \(0, 1\], got '2'/, absent: ['tp'] },
  // supervised, check-env, the command line itself
  { name: 'train-supervised 0 epochs', args: ['train-supervised', '--epochs', '0'], message: /--epochs must be an integer ≥ 1, got '0'/ },
  { name: 'train-supervised unknown data set', args: ['train-supervised', '--data', 'imagenet'], message: /--data must be one of synthetic, camvid, folder, cityscapes, got 'imagenet'/ },
  { name: 'train-supervised scale above 1', args: ['train-supervised', '--scale', '2'], message: /--scale must be a number in \(0\.05, 1\], got '2'/ },
  { name: 'check-env of an unknown protocol', args: ['check-env', '--protocol', 'nope'], message: /unknown protocol 'nope'/ },
  { name: 'unknown command', args: ['fly'], message: /unknown command 'fly'/ },
  { name: 'unknown option', args: ['bench', '--colour'], message: /unknown option '--colour'/ },
  ...RELIABILITY_CASES,
];

export interface CaseResult {
  readonly name: string;
  readonly ok: boolean;
  readonly why: string;
  readonly stderr: string;
}

function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(p, createHash('sha1').update(readFileSync(p)).digest('hex'));
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

/** The case's command line and environment in `dir` (set up fresh), and the directory's contents before it runs. */
function prepare(c: FaultCase, dir: string, bin: string) {
  mkdirSync(dir, { recursive: true });
  c.setup?.(dir);
  return {
    before: snapshot(dir),
    args: [bin, ...c.args.map((a) => a.replaceAll('$D', dir))],
    env: { ...process.env, ...c.env, REGIONGYM_CACHE: join(dir, '.cache') },
  };
}

/** Exit 2, one stderr line matching, no stack, nothing changed (or, for a case that is not a refusal, its own exit and `after`). */
function judge(c: FaultCase, dir: string, before: Map<string, string>, r: ChildExit): CaseResult {
  const stderr = r.stderr.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('npm warn')).join('\n');
  const fail = (why: string) => ({ name: c.name, ok: false, why, stderr });
  if (r.signal) return fail(`killed by ${r.signal} (hung?)`);
  if (/\n\s+at /.test(stderr)) return fail('a stack trace on stderr');
  if (c.exit !== undefined && c.exit !== 2) {
    if (r.status !== c.exit) return fail(`exit ${r.status}, expected ${c.exit}`);
    const why = c.after?.(dir, stderr) ?? null;
    return why === null ? { name: c.name, ok: true, why: '', stderr } : fail(why);
  }
  if (r.status !== 2) return fail(`exit ${r.status}, expected 2`);
  const errLines = stderr.split('\n').filter((l) => /error|Error|refus/i.test(l) || l.startsWith('regiongym:'));
  if (errLines.length !== 1) return fail(`${errLines.length} error lines on stderr, expected 1`);
  if (!c.message.test(errLines[0]!)) return fail(`message does not match ${c.message}`);
  for (const a of c.absent ?? []) if (existsSync(join(dir, a))) return fail(`${a} was written`);
  const after = snapshot(dir);
  for (const [p, h] of before) if (after.get(p) !== h) return fail(`${p} changed`);
  for (const p of after.keys()) if (!before.has(p) && !p.includes('/.cache/')) return fail(`${p} was written`);
  return { name: c.name, ok: true, why: '', stderr };
}

const CASE_TIMEOUT_MS = 120_000;

/** Run one case in `dir` (fresh) and judge it. */
export function runCase(c: FaultCase, dir: string, bin = 'bin/regiongym.mjs'): CaseResult {
  const { before, args, env } = prepare(c, dir, bin);
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: CASE_TIMEOUT_MS, env });
  return judge(c, dir, before, { status: r.status, signal: r.signal, stderr: r.stderr });
}

/** runCase without blocking: the command runs as a child process while others do. */
export async function runCaseAsync(c: FaultCase, dir: string, bin = 'bin/regiongym.mjs'): Promise<CaseResult> {
  const { before, args, env } = prepare(c, dir, bin);
  const r = await childExit(args, { env, timeoutMs: CASE_TIMEOUT_MS });
  return judge(c, dir, before, r);
}

/**
 * Whether a case may run beside others: a refusal fails before any work and depends on no clock. The
 * others (a claim's lease that must outlast the bench's start, a resumed bench) run alone.
 */
export function runsBesideOthers(c: FaultCase): boolean {
  return c.exit === undefined || c.exit === 2;
}

/**
 * Refusal cases run `concurrently` at a time (by default a little over one per core, at most 4: a
 * command's start is partly waiting on files and the loader thread); result i settles when case i has
 * been judged.
 */
export function runCasesConcurrently(cases: readonly { readonly c: FaultCase; readonly dir: string }[], concurrently = Math.min(4, availableParallelism() + 1)): Promise<CaseResult>[] {
  const settle: ((r: CaseResult) => void)[] = [];
  const results = cases.map(() => new Promise<CaseResult>((resolve) => settle.push(resolve)));
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < cases.length; i = next++) {
      const { c, dir } = cases[i]!;
      settle[i]!(await runCaseAsync(c, dir).catch((e: Error) => ({ name: c.name, ok: false, why: `the case did not run: ${e.message}`, stderr: '' })));
    }
  };
  for (let k = 0; k < Math.min(concurrently, cases.length); k++) void lane();
  return results;
}
