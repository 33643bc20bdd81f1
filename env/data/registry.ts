/** Resolve a data set by name, as the CLI and protocols name them. */
import { ConfigError } from '../core/errors.ts';
import type { SegDataset } from './dataset.ts';
import { loadCamVid } from './camvid.ts';
import { loadCityscapes } from './cityscapes.ts';
import { makeSyntheticDataset, type SyntheticOptions } from './synthetic.ts';
import { scaledSize } from './resize.ts';

export const DATA_NAMES = ['synthetic', 'camvid', 'cityscapes'] as const;
export type DataName = (typeof DATA_NAMES)[number];

export interface DataSpec {
  name: DataName;
  /** Scale relative to the native size (synthetic uses CamVid's 480×360 as native). */
  scale: number;
  /** Folder of a real data set (camvid: defaults to $REGIONGYM_CAMVID). */
  root?: string;
  /** Synthetic only: generator seed and images per split. */
  syntheticSeed?: number;
  syntheticCounts?: SyntheticOptions['counts'];
}

export const DEFAULT_SYNTHETIC_COUNTS: SyntheticOptions['counts'] = { d_t: 40, d_s: 4, d_v: 80, val: 30, test: 40 };

export function loadData(spec: DataSpec): SegDataset {
  switch (spec.name) {
    case 'synthetic': {
      const { height, width } = scaledSize(360, 480, spec.scale);
      return makeSyntheticDataset({ seed: spec.syntheticSeed ?? 0, height, width, counts: spec.syntheticCounts ?? DEFAULT_SYNTHETIC_COUNTS });
    }
    case 'camvid':
      return loadCamVid({ root: spec.root, scale: spec.scale });
    case 'cityscapes':
      if (!spec.root) throw new ConfigError('cityscapes needs a folder: pass --root DIR');
      return loadCityscapes({ root: spec.root, scale: spec.scale });
    default:
      throw new ConfigError(`unknown data set '${String(spec.name)}': expected one of ${DATA_NAMES.join(', ')}`);
  }
}
