/**
 * Your own data set, without code: a folder of PNG images and PNG label maps with two small JSON files.
 *
 *   <root>/classes.json   {"names": ["road", "car", …], "ignore": 255, "colors": [[128, 64, 128], …]}
 *   <root>/splits.json    {"d_t": [ids], "d_s": [ids], "d_v": [ids], "val": [ids], "test": [ids]}
 *   <root>/images/<id>.png    RGB (an alpha channel is dropped)
 *   <root>/labels/<id>.png    class ids 0 … C−1 in the first channel; `ignore` marks unlabelled pixels
 *
 * The class count comes from classes.json (C = names.length); the ignore value maps to C, as every data
 * set here does. `colors` is optional (for figures). Images are resized once by the protocol's scale and
 * must then share one size. Every problem is a DataError naming the first bad file and what was expected.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DataError } from '../../core/errors.ts';
import type { SegDataset, SegSample, SplitName } from './dataset.ts';
import { readPngChannel0, readPngRgb } from './png.ts';
import { resizeBilinear, resizeNearest, scaledSize } from './resize.ts';

const SPLITS: readonly SplitName[] = ['train', 'val', 'test', 'd_t', 'd_s', 'd_v', 'd_r'];

export interface FolderClasses {
  names: string[];
  ignore: number;
  colors?: [number, number, number][];
}

function readJson(path: string, what: string): unknown {
  if (!existsSync(path)) throw new DataError(`${path} is missing: a folder data set needs ${what}`);
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new DataError(`${path} is not valid JSON: ${(e as Error).message}`);
  }
}

export function readFolderClasses(root: string): FolderClasses {
  const path = join(root, 'classes.json');
  const doc = readJson(path, 'classes.json ({"names": [...], "ignore": 255})') as Partial<FolderClasses>;
  const names = doc?.names;
  if (!Array.isArray(names) || names.length < 2 || names.length > 254 || !names.every((n) => typeof n === 'string' && n.length > 0)) throw new DataError(`${path}: "names" must list 2 to 254 class names, got ${JSON.stringify(names)}`);
  if (new Set(names).size !== names.length) throw new DataError(`${path}: "names" lists a class twice`);
  const ignore = doc.ignore ?? 255;
  if (!Number.isInteger(ignore) || ignore < names.length || ignore > 255) throw new DataError(`${path}: "ignore" must be an integer in [${names.length}, 255] (a label value that is no class), got ${JSON.stringify(doc.ignore)}`);
  const colors = doc.colors;
  if (colors !== undefined && (!Array.isArray(colors) || colors.length !== names.length || !colors.every((c) => Array.isArray(c) && c.length === 3 && c.every((v) => Number.isInteger(v) && v >= 0 && v <= 255)))) throw new DataError(`${path}: "colors" must hold one [r, g, b] (0–255) per class, ${names.length} in all`);
  return { names, ignore, ...(colors ? { colors } : {}) };
}

export function loadFolder(opts: { root: string; scale: number }): SegDataset {
  const root = resolve(opts.root);
  if (!existsSync(root)) throw new DataError(`folder data set ${root} does not exist`);
  const classes = readFolderClasses(root);
  const C = classes.names.length;
  const splitsPath = join(root, 'splits.json');
  const splitDoc = readJson(splitsPath, 'splits.json ({"d_t": [ids], "d_s": [ids], "d_v": [ids], "val": [ids], "test": [ids]})') as Record<string, unknown>;
  if (typeof splitDoc !== 'object' || splitDoc === null || Array.isArray(splitDoc)) throw new DataError(`${splitsPath}: expected an object of split name → list of image ids`);
  const unknown = Object.keys(splitDoc).find((k) => !(SPLITS as readonly string[]).includes(k));
  if (unknown) throw new DataError(`${splitsPath}: unknown split '${unknown}'; splits are ${SPLITS.join(', ')}`);
  const lut = new Uint8Array(256).fill(255);
  for (let c = 0; c < C; c++) lut[c] = c;
  lut[classes.ignore] = C;
  const cache = new Map<string, SegSample>();
  const size: { height: number; width: number; from: string } = { height: 0, width: 0, from: '' };
  const sample = (id: unknown, split: string): SegSample => {
    if (typeof id !== 'string' || !/^[\w.-]+$/.test(id)) throw new DataError(`${splitsPath}: split '${split}' holds ${JSON.stringify(id)}, not an image id (letters, digits, '.', '_', '-')`);
    const known = cache.get(id);
    if (known) return known;
    const imagePath = join(root, 'images', `${id}.png`);
    const labelPath = join(root, 'labels', `${id}.png`);
    for (const p of [imagePath, labelPath]) if (!existsSync(p)) throw new DataError(`${p} is missing (listed in split '${split}' of ${splitsPath})`);
    const img = readPngRgb(imagePath);
    const raw = readPngChannel0(labelPath);
    if (raw.width !== img.width || raw.height !== img.height) throw new DataError(`${labelPath} is ${raw.width}×${raw.height} but ${imagePath} is ${img.width}×${img.height}`);
    const label = new Uint8Array(raw.values.length);
    for (let i = 0; i < label.length; i++) {
      const v = lut[raw.values[i]!]!;
      if (v === 255) throw new DataError(`${labelPath}: pixel ${i % raw.width},${Math.floor(i / raw.width)} holds ${raw.values[i]}, not a class id in [0, ${C - 1}] nor the ignore value ${classes.ignore}`);
      label[i] = v;
    }
    const { height, width } = scaledSize(img.height, img.width, opts.scale);
    if (size.from && (size.height !== height || size.width !== width)) throw new DataError(`${imagePath} is ${img.width}×${img.height}, ${size.from} is not: every image of a data set must share one size`);
    if (!size.from) Object.assign(size, { height, width, from: imagePath });
    const s: SegSample = {
      id,
      image: opts.scale === 1 ? img.rgb : resizeBilinear(img.rgb, img.height, img.width, 3, height, width),
      label: opts.scale === 1 ? label : resizeNearest(label, raw.height, raw.width, height, width),
    };
    cache.set(id, s);
    return s;
  };
  const splits: Partial<Record<SplitName, SegSample[]>> = {};
  for (const [name, ids] of Object.entries(splitDoc)) {
    if (!Array.isArray(ids) || ids.length === 0) throw new DataError(`${splitsPath}: split '${name}' must be a non-empty list of image ids`);
    splits[name as SplitName] = ids.map((id) => sample(id, name));
  }
  if (!size.from) throw new DataError(`${splitsPath} lists no images`);
  // the name carries a hash of the folder's class and split lists: two folders are two data sets on a board
  const digest = createHash('sha256').update(readFileSync(join(root, 'classes.json'))).update(readFileSync(splitsPath)).digest('hex').slice(0, 8);
  return { name: `folder:${root.split('/').at(-1)}-${digest}@${opts.scale}`, height: size.height, width: size.width, numClasses: C, ignoreIndex: C, classNames: classes.names, splits };
}
