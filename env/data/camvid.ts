/**
 * CamVid in the SegNet layout (train/trainannot, val/valannot, test/testannot; 480×360) with the RALIS
 * active-learning split file `ralis-splits.json` (d_t, d_s, d_v ⊂ train). Images are resized once on
 * load (bilinear images, nearest labels) into one SharedArrayBuffer and cached in memory per (root, scale).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DataError } from '../../core/errors.ts';
import { CAMVID_CLASSES, type SegDataset, type SegSample, type SplitName } from './dataset.ts';
import { readPngChannel0, readPngRgb } from './png.ts';
import { resizeBilinear, resizeNearest, scaledSize } from './resize.ts';
import { SampleArena, type SampleBytes } from './sample-arena.ts';

export const CAMVID_ENV_VAR = 'REGIONGYM_CAMVID';
const NUM_CLASSES = 11;
const VOID = 11;

export interface CamVidOptions {
  /** Folder with the SegNet layout; defaults to $REGIONGYM_CAMVID. */
  root?: string;
  /** Resize factor in (0, 1]; 0.4 gives 144×192, which keeps RALIS' 4×6 region grid exact. */
  scale: number;
}

const cache = new Map<string, SegDataset>();

/** The CamVid root from an explicit path or $REGIONGYM_CAMVID, checked to exist. */
export function resolveCamVidRoot(root?: string): string {
  const dir = root ?? process.env[CAMVID_ENV_VAR];
  if (!dir) throw new DataError(`no CamVid folder given: pass --root DIR or set ${CAMVID_ENV_VAR}`);
  const abs = resolve(dir);
  if (!existsSync(join(abs, 'train'))) throw new DataError(`${abs} is not a CamVid folder: ${join(abs, 'train')} is missing`);
  return abs;
}

function listSplit(root: string, split: 'train' | 'val' | 'test'): string[] {
  const listPath = join(root, `${split}.txt`);
  let text: string;
  try {
    text = readFileSync(listPath, 'utf8');
  } catch {
    throw new DataError(`cannot read the split list ${listPath}`);
  }
  // Lines look like "/SegNet/CamVid/train/x.png /SegNet/CamVid/trainannot/x.png"; keep the file name.
  return text
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0] ?? '')
    .filter((l) => l.length > 0)
    .map((l) => l.slice(l.lastIndexOf('/') + 1));
}

/** Decode one sample into `into` (the arena's views for it). */
function loadSample(root: string, split: string, file: string, height: number, width: number, into: SampleBytes): SegSample {
  const imagePath = join(root, split, file);
  const labelPath = join(root, `${split}annot`, file);
  const img = readPngRgb(imagePath);
  const lab = readPngChannel0(labelPath);
  if (img.width !== lab.width || img.height !== lab.height) {
    throw new DataError(`${labelPath} is ${lab.width}×${lab.height} but its image ${imagePath} is ${img.width}×${img.height}`);
  }
  for (let i = 0; i < lab.values.length; i++) {
    if (lab.values[i]! > VOID) throw new DataError(`${labelPath}: label value ${lab.values[i]} at pixel ${i}, expected 0..${VOID}`);
  }
  const same = img.height === height && img.width === width;
  into.image.set(same ? img.rgb : resizeBilinear(img.rgb, img.height, img.width, 3, height, width));
  into.label.set(same ? lab.values : resizeNearest(lab.values, lab.height, lab.width, height, width));
  return { id: file, ...into };
}

export function loadCamVid(opts: CamVidOptions): SegDataset {
  const root = resolveCamVidRoot(opts.root);
  const key = `${root}@${opts.scale}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const { height, width } = scaledSize(360, 480, opts.scale);
  const files = { train: listSplit(root, 'train'), val: listSplit(root, 'val'), test: listSplit(root, 'test') };
  // decoded straight into shared memory: worker threads adopt these bytes, and no private copy stays behind
  const arena = new SampleArena(files.train.length + files.val.length + files.test.length, height, width);
  const splits: Partial<Record<SplitName, SegSample[]>> = {};
  for (const s of ['train', 'val', 'test'] as const) splits[s] = files[s].map((f) => loadSample(root, s, f, height, width, arena.take()));

  const splitPath = join(root, 'ralis-splits.json');
  if (existsSync(splitPath)) {
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(readFileSync(splitPath, 'utf8'));
    } catch (e) {
      throw new DataError(`corrupt split file ${splitPath}: ${(e as Error).message}`);
    }
    const byId = new Map(splits.train!.map((s) => [s.id, s]));
    for (const role of ['d_t', 'd_s', 'd_v'] as const) {
      const ids = json[role];
      if (!Array.isArray(ids)) throw new DataError(`${splitPath}: '${role}' must be a list of train image names`);
      splits[role] = ids.map((id) => {
        const s = byId.get(String(id));
        if (!s) throw new DataError(`${splitPath}: '${role}' names ${id}, which is not in train.txt`);
        return s;
      });
    }
  }
  const ds: SegDataset = { name: `camvid@${opts.scale}`, height, width, numClasses: NUM_CLASSES, ignoreIndex: VOID, classNames: CAMVID_CLASSES, splits };
  cache.set(key, ds);
  return ds;
}
