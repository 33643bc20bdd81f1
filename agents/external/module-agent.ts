/**
 * Agents from the user's own module, without editing the repository: `--agents ./my-agent.ts` (or
 * `path#ExportName`; .ts, .mts, .js, .mjs). The module exports an Agent object, a class with a
 * no-argument constructor, or a function returning one (async too); without `#name`, its default export.
 * Worker threads import the module themselves (tsx is registered in every worker), so it runs in
 * bench, in shards and in the pipeline as a built-in agent does.
 *
 * Identity: the agent id is `module:<file name>[#export]@<hash>`, the hash over the module file's bytes
 * and the export name, so editing the agent's code makes a new agent whose runs are not mixed with the
 * old ones' (a re-run runs again instead of reusing; a leaderboard shows the two versions apart).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { tsImport } from 'tsx/esm/api';
import { ConfigError } from '../../core/errors.ts';
import type { Agent } from '../agent.ts';

/** Does an `--agents` item name a module file rather than a registered agent? */
export const isModuleAgent = (text: string): boolean => /^(\.{1,2}\/|\/)/.test(text) || /\.(m?[jt]s)(#[A-Za-z_$][\w$]*)?$/.test(text);

export interface ModuleRef {
  /** Absolute path of the module file. */
  readonly path: string;
  /** The export to use (null: the default export). */
  readonly exportName: string | null;
}

/** `path[#Export]` → the absolute file and the export, checked to exist. */
export function parseModuleRef(text: string): ModuleRef {
  const hash = text.lastIndexOf('#');
  const file = hash > 0 ? text.slice(0, hash) : text;
  const exportName = hash > 0 ? text.slice(hash + 1) : null;
  if (exportName !== null && !/^[A-Za-z_$][\w$]*$/.test(exportName)) throw new ConfigError(`agent module '${text}': '#${exportName}' is not an export name`);
  const path = resolve(file);
  if (!existsSync(path) || !statSync(path).isFile()) throw new ConfigError(`agent module '${text}': ${path} is not a file`);
  if (!/\.(m?[jt]s)$/.test(path)) throw new ConfigError(`agent module '${text}': expected a .ts, .mts, .js or .mjs file`);
  return { path, exportName };
}

/** The canonical argument a worker receives: the absolute path, and the export when one was named. */
export const moduleArg = (r: ModuleRef): string => (r.exportName ? `${r.path}#${r.exportName}` : r.path);

/** `module:<file>[#export]@<hash of the file's bytes and the export>`. */
export function moduleAgentId(r: ModuleRef): string {
  const h = createHash('sha256').update(readFileSync(r.path)).update(`\u0000${r.exportName ?? 'default'}`).digest('hex').slice(0, 12);
  return `module:${basename(r.path)}${r.exportName ? `#${r.exportName}` : ''}@${h}`;
}

/** The board label: the file name without its extension (and the export when named). */
export const moduleLabel = (r: ModuleRef): string => `${basename(r.path).replace(/\.(m?[jt]s)$/, '')}${r.exportName ? `#${r.exportName}` : ''}`;

const isAgent = (x: unknown): x is Agent => typeof x === 'object' && x !== null && typeof (x as Agent).act === 'function' && typeof (x as Agent).name === 'string';

/** Import the module and make its agent: an object, a class or a factory, checked to be an Agent. */
export async function loadModuleAgent(arg: string): Promise<Agent> {
  const r = parseModuleRef(arg);
  let mod: Record<string, unknown>;
  try {
    // TypeScript through tsx's loader whatever the folder's package type (a .ts file outside any
    // package is CommonJS to Node, and a plain import of it from a worker fails)
    mod = (/\.m?ts$/.test(r.path) ? await tsImport(pathToFileURL(r.path).href, import.meta.url) : await import(pathToFileURL(r.path).href)) as Record<string, unknown>;
  } catch (e) {
    throw new ConfigError(`agent module ${r.path} failed to load: ${(e as Error).message.split('\n')[0]}`);
  }
  const key = r.exportName ?? 'default';
  // a CommonJS module's exports arrive as the namespace's default: look inside it too
  const inner = mod['default'];
  const x = mod[key] !== undefined && !(key === 'default' && typeof inner === 'object' && inner !== null && !isAgent(inner) && key in inner) ? mod[key] : (inner as Record<string, unknown> | undefined)?.[key];
  if (x === undefined) throw new ConfigError(`agent module ${r.path} has no export '${key}' (it exports ${Object.keys(mod).join(', ') || 'nothing'})`);
  let agent: unknown = x;
  if (typeof x === 'function') {
    // a class (its prototype has act) is constructed; any other function is a factory
    agent = typeof (x as { prototype?: { act?: unknown } }).prototype?.act === 'function' ? new (x as new () => unknown)() : await (x as () => unknown)();
  }
  if (!isAgent(agent)) throw new ConfigError(`agent module ${r.path}: export '${key}' is not an Agent (an object with a string 'name' and an 'act(obs, info, rng)' method, or a class or function making one)`);
  return agent;
}
