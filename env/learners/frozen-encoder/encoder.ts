/**
 * A frozen pretrained encoder: a tfjs graph model (model.json + weight shards) and the nodes whose
 * outputs, brought to one stride and concatenated, form the hypercolumn a head is trained on.
 *
 * Geometry: an H×W image is resized (bilinear, half-pixel centres) to the largest size that fits the
 * model's fixed input while keeping its aspect ratio (CamVid 360×480 → 384×512 in a 512×512 input),
 * padded with zeros at the bottom and right; each node's map is cut to that content area and brought
 * to the hypercolumn stride — average- or max-pooled when finer, bilinearly upsampled when coarser.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { ConfigError, DataError } from '../../../core/errors.ts';

/** How one node's map reaches the hypercolumn stride when it is finer than it. */
export type Pooling = 'avg' | 'max';

export interface EncoderLayer {
  /** Graph node name, e.g. 'tower_0/CenternetHead/Relu_2'. */
  readonly node: string;
  readonly pool: Pooling;
}

export interface EncoderSpec {
  /** A directory with a tfjs graph model's model.json, or 'centernet' (the shipped default). */
  readonly model: string;
  readonly layers: readonly EncoderLayer[];
  /** Hypercolumn stride in input pixels. */
  readonly stride: number;
  /** Input = pixel · pixelScale + pixelOffset (CenterNet takes raw 0–255 RGB: 1 and 0). */
  readonly pixelScale: number;
  readonly pixelOffset: number;
}

/**
 * The COCO-trained MobileNetV3-Large CenterNet that the npm package @vladmandic/human ships as a tfjs
 * graph model (upstream 610265158/mobilenetv3_centernet): its three decoder maps (strides 4, 8, 16)
 * and its 80 COCO class heat-maps (stride 4), 656 channels. Only the model files are read; none of
 * the package's code runs.
 */
export const CENTERNET: EncoderSpec = {
  model: 'centernet',
  layers: [
    { node: 'tower_0/CenternetHead/Relu_2', pool: 'avg' },
    { node: 'tower_0/CenternetHead/Relu_1', pool: 'avg' },
    { node: 'tower_0/CenternetHead/Relu', pool: 'avg' },
    { node: 'tower_0/keypoints', pool: 'max' },
  ],
  stride: 8,
  pixelScale: 1,
  pixelOffset: 0,
};

/** Where the shipped CenterNet files are, or null when the package is not installed. */
export function centernetDir(): string | null {
  try {
    // the package's exports hide package.json: walk up from its entry point to the package root
    let dir = dirname(createRequire(import.meta.url).resolve('@vladmandic/human'));
    while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
    const models = join(dir, 'models');
    return existsSync(join(models, 'centernet.json')) ? models : null;
  } catch {
    return null;
  }
}

interface ModelFiles {
  /** model.json's path (for messages). */
  readonly path: string;
  readonly json: { modelTopology?: unknown; weightsManifest?: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[]; format?: string };
  readonly weights: Uint8Array;
}

/** model.json and its weight shards; every missing or malformed piece is a DataError naming the file. */
export function readModelFiles(spec: Pick<EncoderSpec, 'model'>): ModelFiles {
  let path: string;
  if (spec.model === 'centernet') {
    const dir = centernetDir();
    if (!dir) throw new ConfigError("the 'centernet' encoder needs the npm package @vladmandic/human (npm install): its models/centernet.json was not found");
    path = join(dir, 'centernet.json');
  } else {
    path = existsSync(join(spec.model, 'model.json')) ? join(spec.model, 'model.json') : spec.model;
    if (!existsSync(path)) throw new DataError(`encoder ${spec.model}: no model.json there (expected a tfjs graph model directory)`);
  }
  let json: ModelFiles['json'];
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new DataError(`encoder ${path} is not valid JSON: ${(e as Error).message}`);
  }
  if (json.format !== 'graph-model' || !json.modelTopology || !Array.isArray(json.weightsManifest)) {
    throw new DataError(`encoder ${path}: expected a tfjs graph model (format 'graph-model' with modelTopology and weightsManifest), got format '${json.format ?? 'none'}'`);
  }
  const shards = json.weightsManifest.flatMap((g) => g.paths).map((p) => {
    const file = join(dirname(path), p);
    if (!existsSync(file)) throw new DataError(`encoder ${path}: weight shard ${file} is missing`);
    return readFileSync(file);
  });
  const weights = new Uint8Array(shards.reduce((n, b) => n + b.length, 0));
  let o = 0;
  for (const b of shards) {
    weights.set(b, o);
    o += b.length;
  }
  return { path, json, weights };
}

/** Content hash of an encoder: its files, nodes, pooling, stride and input transform. */
export function encoderHash(spec: EncoderSpec, files: ModelFiles = readModelFiles(spec)): string {
  const h = createHash('sha256');
  h.update(JSON.stringify(files.json.modelTopology));
  h.update(files.weights);
  h.update(JSON.stringify({ layers: spec.layers, stride: spec.stride, pixelScale: spec.pixelScale, pixelOffset: spec.pixelOffset }));
  return h.digest('hex').slice(0, 16);
}

/** Sizes of the encoded image: content area inside the input, and the hypercolumn grid. */
export interface EncoderGeometry {
  readonly inputH: number;
  readonly inputW: number;
  readonly contentH: number;
  readonly contentW: number;
  readonly gridH: number;
  readonly gridW: number;
  readonly channels: number;
}

export class Encoder {
  private constructor(
    readonly spec: EncoderSpec,
    readonly hash: string,
    private readonly model: tf.GraphModel,
    readonly geometry: EncoderGeometry,
    /** Size of the images it encodes. */
    readonly imageH: number,
    readonly imageW: number,
    /** Per layer: its channels and stride. */
    private readonly layerInfo: { channels: number; stride: number }[],
  ) {}

  /** Load the model and check the nodes against one probe run (names, strides). */
  static async load(spec: EncoderSpec, imageH: number, imageW: number): Promise<Encoder> {
    const files = readModelFiles(spec);
    const model = await tf.loadGraphModel(tf.io.fromMemory({ modelTopology: files.json.modelTopology as {}, weightSpecs: files.json.weightsManifest!.flatMap((g) => g.weights), weightData: files.weights.buffer.slice(files.weights.byteOffset, files.weights.byteOffset + files.weights.byteLength) as ArrayBuffer }));
    const input = model.inputs[0];
    const shape = input?.shape;
    if (!shape || shape.length !== 4 || !(shape[1]! > 0) || !(shape[2]! > 0)) {
      model.dispose();
      throw new DataError(`encoder ${files.path}: expected a fixed input [1, H, W, 3], got ${JSON.stringify(shape)}`);
    }
    const [inputH, inputW] = [shape[1]!, shape[2]!];
    const known = new Set(Object.keys((model as unknown as { executor: { graph: { nodes: Record<string, unknown> } } }).executor.graph.nodes));
    const missing = spec.layers.map((l) => l.node).filter((n) => !known.has(n));
    if (missing.length) {
      model.dispose();
      throw new ConfigError(`encoder ${files.path} has no node ${missing.map((n) => `'${n}'`).join(', ')} (it has ${known.size} nodes, e.g. ${[...known].slice(-3).join(', ')})`);
    }
    const r = Math.min(inputH / imageH, inputW / imageW);
    const contentH = Math.round(imageH * r), contentW = Math.round(imageW * r);
    if (contentH % spec.stride !== 0 || contentW % spec.stride !== 0) {
      model.dispose();
      throw new ConfigError(`an image of ${imageH}×${imageW} fills ${contentH}×${contentW} of the encoder's ${inputH}×${inputW} input, not a multiple of the stride ${spec.stride}: use an image size with the input's aspect ratio or another stride`);
    }
    // one probe run tells each node's map size
    // (its zero input disposed with its outputs: a tensor left here outlived every env made after it)
    const probe = tf.zeros([1, inputH, inputW, 3]);
    const outs = model.execute(probe, spec.layers.map((l) => l.node)) as tf.Tensor[];
    probe.dispose();
    const layerInfo = outs.map((t, i) => {
      const stride = inputH / t.shape[1]!;
      const fits = t.shape.length === 4 && Number.isInteger(stride) && stride === inputW / t.shape[2]! && (stride <= spec.stride ? spec.stride % stride === 0 : stride % spec.stride === 0) && contentH % stride === 0 && contentW % stride === 0;
      return fits ? { channels: t.shape[3]!, stride } : { error: `encoder node '${spec.layers[i]!.node}' gives shape ${JSON.stringify(t.shape)}: expected a feature map [1, h, w, c] at a whole stride of the ${inputH}×${inputW} input that divides or is divided by the hypercolumn stride ${spec.stride}` };
    });
    tf.dispose(outs);
    const bad = layerInfo.find((l): l is { error: string } => 'error' in l);
    if (bad) {
      model.dispose();
      throw new ConfigError(bad.error);
    }
    const layers = layerInfo as { channels: number; stride: number }[];
    const geometry = { inputH, inputW, contentH, contentW, gridH: contentH / spec.stride, gridW: contentW / spec.stride, channels: layers.reduce((n, l) => n + l.channels, 0) };
    return new Encoder(spec, encoderHash(spec, files), model, geometry, imageH, imageW, layers);
  }

  /** The hypercolumn of one RGB image (bytes [imageH, imageW, 3]) as float32 [gridH·gridW·channels], cells row-major. */
  async encode(image: Uint8Array): Promise<Float32Array> {
    const { imageH, imageW } = this;
    const g = this.geometry;
    const s = this.spec;
    const input = tf.tidy(() => {
      const x = tf.tensor4d(Float32Array.from(image), [1, imageH, imageW, 3]);
      const resized = tf.image.resizeBilinear(x, [g.contentH, g.contentW], false, true);
      const scaled = s.pixelScale === 1 && s.pixelOffset === 0 ? resized : tf.add(tf.mul(resized, s.pixelScale), s.pixelOffset);
      return tf.pad(scaled, [[0, 0], [0, g.inputH - g.contentH], [0, g.inputW - g.contentW], [0, 0]]);
    });
    const outs = this.model.execute(input, s.layers.map((l) => l.node)) as tf.Tensor4D[];
    const column = tf.tidy(() => {
      const maps = outs.map((t, i) => {
        const { stride } = this.layerInfo[i]!;
        const cut = tf.slice(t, [0, 0, 0, 0], [1, g.contentH / stride, g.contentW / stride, -1]) as tf.Tensor4D;
        if (stride === s.stride) return cut;
        if (stride < s.stride) {
          const k = s.stride / stride;
          return s.layers[i]!.pool === 'max' ? tf.maxPool(cut, k, k, 'valid') : tf.avgPool(cut, k, k, 'valid');
        }
        // coarser map: bilinear on the whole map (edges as the model saw them), then the content cut
        const full = tf.image.resizeBilinear(t, [(t.shape[1] * stride) / s.stride, (t.shape[2] * stride) / s.stride], false, true);
        return tf.slice(full, [0, 0, 0, 0], [1, g.gridH, g.gridW, -1]);
      });
      return tf.concat(maps, 3);
    });
    const data = (await column.data()) as Float32Array;
    tf.dispose([input, column, ...outs]);
    return data;
  }

  dispose(): void {
    this.model.dispose();
  }
}
