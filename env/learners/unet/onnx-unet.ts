/**
 * The UNet forward pass (see `trunk` and `head` in unet.ts, the reference) written into an ONNX graph
 * with the current weights as constants, shared by every graph the native engine runs: trunk
 * features, eval-mode prediction, region statistics and the training step. Inside, tensors are
 * NCHW (ONNX's convolution layout); the runtime's layout optimiser turns the convolutions into its
 * blocked NHWC kernels.
 */
import { GraphBuilder, int, ints, str } from '../../../compute/ort/graph.ts';
import type { UNetParams } from './net.ts';

type Layer = UNetParams['layers'][number];

/** tfjs kernel [k, k, cin, cout] (HWIO) → ONNX weight [cout, cin, k, k] (OIHW). */
export function hwioToOihw(hwio: Float32Array, k: number, cin: number, cout: number): Float32Array {
  const out = new Float32Array(hwio.length);
  for (let y = 0; y < k; y++)
    for (let x = 0; x < k; x++)
      for (let i = 0; i < cin; i++)
        for (let o = 0; o < cout; o++) out[((o * cin + i) * k + y) * k + x] = hwio[((y * k + x) * cin + i) * cout + o]!;
  return out;
}

export const TO_NHWC = [ints('perm', [0, 2, 3, 1])];
export const TO_NCHW = [ints('perm', [0, 3, 1, 2])];

/** A 3×3 'same' convolution + ReLU as the forward pass ran it: what a backward pass needs. */
export interface ConvRecord {
  readonly layer: Layer;
  /** NCHW input and ReLU output, at h×w. */
  readonly input: string;
  readonly output: string;
  readonly h: number;
  readonly w: number;
}

export interface TrunkGraph {
  /** NCHW trunk features [B, F, H, W]. */
  readonly features: string;
  /** Every conv+ReLU in forward order. */
  readonly convs: ConvRecord[];
  /** Max-pools by level (index 0 unused): input and output. */
  readonly pools: { input: string; output: string }[];
}

/** Nearest-neighbour ×2 upsampling as tfjs' resizeNearestNeighbor (no half-pixel centres): source = floor(target / 2). */
export function upsample2x(g: GraphBuilder, x: string): string {
  const scales = g.floats([4], [1, 1, 2, 2]);
  return g.op('Resize', [x, '', scales], [str('mode', 'nearest'), str('coordinate_transformation_mode', 'asymmetric'), str('nearest_mode', 'floor')]);
}

/** Convolution with `layer`'s weights ('same' padding, stride 1), NCHW. */
export function convLayer(g: GraphBuilder, x: string, layer: Layer): string {
  const { name, k, cin, cout } = layer.spec;
  const W = g.float(`${name}/W`, [cout, cin, k, k], hwioToOihw(layer.kernel.dataSync() as Float32Array, k, cin, cout));
  const b = g.float(`${name}/b`, [cout], Float32Array.from(layer.bias.dataSync() as Float32Array));
  const pad = (k - 1) / 2;
  return g.op('Conv', [x, W, b], [ints('kernel_shape', [k, k]), ints('pads', [pad, pad, pad, pad]), ints('strides', [1, 1])]);
}

/** The trunk of `p` on NHWC input `x` [B, height, width, 3]. */
export function trunkGraph(g: GraphBuilder, p: UNetParams, height: number, width: number, x: string): TrunkGraph {
  const levels = p.config.widths.length;
  const div = 1 << (levels - 1);
  if (height % div !== 0 || width % div !== 0) throw new RangeError(`input ${height}×${width} must be divisible by ${div} for a ${levels}-level UNet`);
  const L = p.layers;
  const convs: ConvRecord[] = [];
  const pools: { input: string; output: string }[] = [];
  const convRelu = (input: string, index: number, level: number): string => {
    const output = g.op('Relu', [convLayer(g, input, L[index]!)]);
    convs.push({ layer: L[index]!, input, output, h: height >> level, w: width >> level });
    return output;
  };
  const skips: string[] = [];
  let h = g.op('Transpose', [x], TO_NCHW);
  let i = 0;
  for (let l = 0; l < levels; l++) {
    if (l > 0) {
      const pooled = g.op('MaxPool', [h], [ints('kernel_shape', [2, 2]), ints('strides', [2, 2])]);
      pools[l] = { input: h, output: pooled };
      h = pooled;
    }
    h = convRelu(convRelu(h, i, l), i + 1, l);
    i += 2;
    if (l < levels - 1) skips.push(h);
  }
  for (let l = levels - 2; l >= 0; l--) {
    h = g.op('Concat', [upsample2x(g, h), skips[l]!], [int('axis', 1)]);
    h = convRelu(convRelu(h, i, l), i + 1, l);
    i += 2;
  }
  return { features: h, convs, pools };
}

/** Eval-mode logits (no dropout): the 1×1 classifier on NCHW trunk features → [B, C, H, W]. */
export function classifierGraph(g: GraphBuilder, p: UNetParams, features: string): string {
  return convLayer(g, features, p.layers[p.layers.length - 1]!);
}

/** The same classifier on NHWC features [B, H, W, F] as a matmul over channels → logits [B, H, W, C]. */
export function nhwcClassifierGraph(g: GraphBuilder, p: UNetParams, features: string): string {
  const { spec, kernel, bias } = p.layers[p.layers.length - 1]!;
  const W = g.float(`${spec.name}/W_fc`, [spec.cin, spec.cout], Float32Array.from(kernel.dataSync() as Float32Array)); // [1, 1, F, C] = [F, C]
  return g.op('Add', [g.op('MatMul', [features, W]), g.float(`${spec.name}/b_fc`, [spec.cout], Float32Array.from(bias.dataSync() as Float32Array))]);
}
