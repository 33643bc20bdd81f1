/**
 * Renames a shipped protocol in published results without re-running them: a protocol's name is part of
 * its content hash (env/protocol/hash.ts), so a renamed protocol's runs, action logs and policy training
 * records would otherwise look stale. The shipped file must already carry the new name; every record of
 * the old name must carry the hash of that file's content under the old name (else it was made by other
 * settings, and is refused). Rewrites the name, hash, field hashes and trajectory ids; numbers are
 * untouched. Each file is written atomically.
 *
 *   node --import tsx scripts/rename-protocol.ts OLD NEW PATH...
 *
 * PATH: a runs file (*.jsonl; its `.actions` folder beside it follows), or a policy run directory (its
 * training.json).
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../core/fs.ts';
import { ConfigError } from '../core/errors.ts';
import { protocolFieldHashes, protocolHash } from '../env/protocol/hash.ts';
import { loadProtocol, type Protocol } from '../env/protocol/load.ts';
import { trajectoryId } from '../benchmarks/sweep/identity.ts';
import { actionLogFile, writeActionLog, type ActionLog } from '../benchmarks/sweep/runner/action-log.ts';
import { TRAINING_FILE, writeTrainingRecord, type TrainingRecord } from '../agents/dqn/train-policy.ts';

export interface Renaming {
  readonly from: string;
  readonly to: string;
  /** The shipped protocol under its new name. */
  readonly protocol: Protocol;
  readonly oldHash: string;
  readonly newHash: string;
  readonly newFields: Record<string, string>;
}

/**
 * The old name's hash is the shipped protocol's content under the old name: a record carrying it was made
 * by that very content, so the per-record hash check is the proof that only the name changed.
 */
export function renaming(from: string, to: string): Renaming {
  const renamed = loadProtocol(to);
  if (renamed.name !== to) throw new ConfigError(`protocol '${to}' is named '${renamed.name}' in its file`);
  return { from, to, protocol: renamed, oldHash: protocolHash({ ...renamed, name: from }), newHash: protocolHash(renamed), newFields: protocolFieldHashes(renamed) };
}

type Json = Record<string, unknown>;

/** The runs file's lines with the old name's records renamed (others untouched), and old → new trajectory ids. */
export function renameRunLines(lines: readonly string[], r: Renaming, file = 'runs file'): { lines: string[]; ids: Map<string, string> } {
  const ids = new Map<string, string>();
  const out = lines.map((line, i) => {
    const rec = JSON.parse(line) as Json;
    if (rec.protocol !== r.from) return line;
    if (rec.protocolHash !== r.oldHash) throw new ConfigError(`${file}:${i + 1}: a '${r.from}' record with content ${String(rec.protocolHash)}, not ${r.oldHash}: of another version, not renamed`);
    const version = (rec.versions as Json).regiongym as string;
    const agentId = rec.agentId as string, seed = rec.seed as number;
    if (rec.trajectory !== trajectoryId(r.oldHash, agentId, seed, version)) throw new ConfigError(`${file}:${i + 1}: trajectory ${String(rec.trajectory)} is not the id of (${r.oldHash}, ${agentId}, ${seed}, ${version})`);
    const trajectory = trajectoryId(r.newHash, agentId, seed, version);
    ids.set(rec.trajectory as string, trajectory);
    return JSON.stringify({ ...rec, protocol: r.to, protocolHash: r.newHash, protocolFields: r.newFields, trajectory });
  });
  return { lines: out, ids };
}

function renameRuns(file: string, r: Renaming): Map<string, string> {
  const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.length > 0);
  const renamed = renameRunLines(lines, r, file);
  writeFileAtomic(file, `${renamed.lines.join('\n')}\n`);
  process.stdout.write(`${file}: ${renamed.ids.size} of ${lines.length} records renamed\n`);
  return renamed.ids;
}

function renameActionLogs(runsFile: string, ids: ReadonlyMap<string, string>, r: Renaming): void {
  const dir = dirname(actionLogFile(runsFile, 'any'));
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    const log = JSON.parse(readFileSync(join(dir, name), 'utf8')) as ActionLog;
    if (log.protocolHash !== r.oldHash) continue;
    const id = ids.get(log.trajectory);
    if (!id) throw new ConfigError(`${join(dir, name)}: trajectory ${log.trajectory} has no record in the runs file, so its new id is unknown`);
    writeActionLog(actionLogFile(runsFile, id), { ...log, trajectory: id, protocolHash: r.newHash });
    rmSync(join(dir, name));
    process.stdout.write(`${join(dir, name)} -> ${id}.json\n`);
  }
}

function renameTraining(dir: string, r: Renaming): void {
  const file = join(dir, TRAINING_FILE);
  // read as it is, not through readTrainingRecord (which fills defaults in), so that only the two fields change
  const doc = JSON.parse(readFileSync(file, 'utf8')) as TrainingRecord;
  if (doc.protocol !== r.from) return;
  // a training run may have changed the protocol's reward rule (--first-reward-against-zero): its record keeps it
  const renamed = { ...r.protocol, reward: doc.reward ?? r.protocol.reward };
  const oldHash = protocolHash({ ...renamed, name: r.from });
  if (doc.protocolHash !== oldHash) throw new ConfigError(`${file}: trained on '${r.from}' with content ${doc.protocolHash}, not ${oldHash}`);
  writeTrainingRecord(dir, { ...doc, protocol: r.to, protocolHash: protocolHash(renamed) });
  process.stdout.write(`${file}: renamed\n`);
}

function main(args: readonly string[]): void {
  const [from, to, ...paths] = args;
  try {
    if (!from || !to || paths.length === 0) throw new ConfigError('usage: rename-protocol.ts OLD NEW PATH... (runs files or policy run directories)');
    const r = renaming(from, to);
    for (const path of paths) {
      if (path.endsWith('.jsonl')) renameActionLogs(path, renameRuns(path, r), r);
      else if (existsSync(join(path, TRAINING_FILE))) renameTraining(path, r);
      else throw new ConfigError(`${path}: neither a runs file (*.jsonl) nor a policy run directory (with ${TRAINING_FILE})`);
    }
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    process.stderr.write(`rename-protocol: ${e.message}\n`);
    process.exit(2);
  }
}

// run as a script, not when a test imports it
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main(process.argv.slice(2));
