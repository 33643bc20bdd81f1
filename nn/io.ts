/**
 * Saving and loading weights to a directory as model.json + weights.bin, through a tfjs IOHandler
 * (tfjs' own file:// handler exists only in tfjs-node). Writes are atomic: a crash mid-save leaves
 * the previous checkpoint intact.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { DataError } from '../core/errors.ts';
import { writeFileAtomic } from '../core/fs.ts';

const MODEL_JSON = 'model.json';
const WEIGHTS_BIN = 'weights.bin';

/** A tfjs IOHandler bound to a directory on disk. */
export class DirectoryIOHandler implements tf.io.IOHandler {
  constructor(readonly dir: string) {}

  async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
    const data = artifacts.weightData;
    const bytes = data === undefined ? new Uint8Array(0) : new Uint8Array(Array.isArray(data) ? tf.io.concatenateArrayBuffers(data) : data);
    // weights first: model.json names them, so it must never point at a missing file.
    writeFileAtomic(join(this.dir, WEIGHTS_BIN), bytes);
    const manifest = {
      format: artifacts.format,
      generatedBy: artifacts.generatedBy,
      modelTopology: artifacts.modelTopology,
      userDefinedMetadata: artifacts.userDefinedMetadata,
      weightsManifest: [{ paths: [`./${WEIGHTS_BIN}`], weights: artifacts.weightSpecs ?? [] }],
    };
    writeFileAtomic(join(this.dir, MODEL_JSON), JSON.stringify(manifest, null, 1));
    return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
  }

  async load(): Promise<tf.io.ModelArtifacts> {
    const jsonPath = join(this.dir, MODEL_JSON);
    let manifest: {
      format?: string;
      modelTopology?: {};
      userDefinedMetadata?: {};
      weightsManifest?: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
    };
    try {
      manifest = JSON.parse(readFileSync(jsonPath, 'utf8'));
    } catch (e) {
      throw new DataError(`cannot read ${jsonPath}: ${(e as Error).message}`);
    }
    const group = manifest.weightsManifest?.[0];
    if (!group || group.paths.length !== 1) throw new DataError(`${jsonPath}: expected one weights group with one file`);
    const binPath = join(this.dir, group.paths[0]!);
    let bin: Buffer;
    try {
      bin = readFileSync(binPath);
    } catch (e) {
      throw new DataError(`cannot read ${binPath}: ${(e as Error).message}`);
    }
    const expected = group.weights.reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1) * 4, 0);
    if (bin.length !== expected) throw new DataError(`${binPath}: ${bin.length} bytes, expected ${expected} for the weights model.json lists`);
    return {
      format: manifest.format,
      modelTopology: manifest.modelTopology,
      userDefinedMetadata: manifest.userDefinedMetadata,
      weightSpecs: group.weights,
      weightData: new Uint8Array(bin).buffer,
    };
  }
}

/** Save named tensors with a topology description (any JSON) and metadata. */
export async function saveTensors(dir: string, format: string, topology: object, tensors: tf.NamedTensorMap, metadata: Record<string, {}> = {}): Promise<void> {
  const { data, specs } = await tf.io.encodeWeights(tensors);
  await new DirectoryIOHandler(dir).save({
    format,
    generatedBy: 'regiongym',
    modelTopology: topology,
    userDefinedMetadata: metadata,
    weightSpecs: specs,
    weightData: data,
  });
}

/** Load what `saveTensors` wrote; checks the format tag. The caller owns the returned tensors. */
export async function loadTensors(dir: string, format: string): Promise<{ topology: unknown; metadata: unknown; tensors: tf.NamedTensorMap }> {
  const art = await new DirectoryIOHandler(dir).load();
  if (art.format !== format) throw new DataError(`${join(dir, MODEL_JSON)}: format '${art.format}', expected '${format}'`);
  const tensors = tf.io.decodeWeights(art.weightData!, art.weightSpecs!);
  return { topology: art.modelTopology, metadata: art.userDefinedMetadata, tensors };
}
