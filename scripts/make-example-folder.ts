/**
 * A tiny data set in the `folder` layout (env/data/folder.ts), made from the built-in synthetic scenes
 * with their 11 classes merged into 5 — so its class count comes from its own classes.json, not CamVid's.
 * `node --import tsx scripts/make-example-folder.ts OUT_DIR`; then
 * `npx regiongym check-env --protocol examples/folder-quick.json --root OUT_DIR`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodePng } from '../env/data/png.ts';
import { makeSyntheticDataset } from '../env/data/synthetic.ts';

const out = process.argv[2];
if (!out) {
  process.stderr.write('usage: make-example-folder.ts OUT_DIR\n');
  process.exit(2);
}
// CamVid order: sky, building, pole, road, sidewalk, tree, sign, fence, car, pedestrian, bicyclist (11 = void)
const NAMES = ['sky', 'structure', 'ground', 'tree', 'object'];
const MERGE = [0, 1, 1, 2, 2, 3, 1, 1, 4, 4, 4];
const IGNORE = 255;
const data = makeSyntheticDataset({ seed: 3, height: 72, width: 96, counts: { d_t: 8, d_s: 2, d_v: 24, val: 6, test: 8 } });
mkdirSync(join(out, 'images'), { recursive: true });
mkdirSync(join(out, 'labels'), { recursive: true });
const splits: Record<string, string[]> = {};
// the five roles a protocol names ('train' is their union in the generator: not written twice)
for (const [split, samples] of Object.entries(data.splits).filter(([k]) => k !== 'train')) {
  splits[split] = samples!.map((s, i) => {
    const id = `${split}-${String(i).padStart(3, '0')}`;
    writeFileSync(join(out, 'images', `${id}.png`), encodePng(data.width, data.height, s.image, 3));
    writeFileSync(join(out, 'labels', `${id}.png`), encodePng(data.width, data.height, s.label.map((v) => (v >= MERGE.length ? IGNORE : MERGE[v]!)), 1));
    return id;
  });
}
writeFileSync(join(out, 'classes.json'), JSON.stringify({ names: NAMES, ignore: IGNORE, colors: [[70, 130, 180], [128, 128, 128], [128, 64, 128], [107, 142, 35], [220, 20, 60]] }, null, 1));
writeFileSync(join(out, 'splits.json'), JSON.stringify(splits, null, 1));
console.log(`${Object.values(splits).flat().length} images of ${NAMES.length} classes written to ${out}`);
