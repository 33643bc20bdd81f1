/**
 * Loss and gradients of one SGD batch on the native engine: the training graph (onnx-train.ts) built
 * from the current weights, run one image at a time (measured fastest: a 96×96 crop's activations
 * stay in cache; a batch of 24 in one run is ~2× slower per image), images shared over the engine's
 * threads, and the per-image gradients summed. The loss is normalised by the whole batch's
 * supervised pixels, as maskedCrossEntropy, so the sums are the batch's loss and gradients.
 */
import type { CropBatch } from '../batches.ts';
import { trainStepOnnxModel } from './onnx-train.ts';
import type { OrtEngine } from '../../../compute/ort/engine.ts';
import type { Feeds } from '../../../compute/ort/host.ts';
import { normalisedPixels, type UNetParams } from './net.ts';

export interface BatchGradients {
  loss: number;
  /** One array per trainable variable, in `trainableVariables` order (kernels HWIO like tfjs). */
  grads: Float32Array[];
}

/** `multiplier`: tf.dropout's multipliers for the batch's trunk features [B, h, w, F]. */
export async function ortGradients(engine: OrtEngine, p: UNetParams, b: CropBatch, multiplier: Float32Array): Promise<BatchGradients> {
  const { batch: B, height: h, width: w } = b;
  const C = p.config.numClasses;
  const F = p.config.widths[0]!;
  const hw = h * w;
  const pixels = normalisedPixels(b.bytes);
  let supervised = 0;
  for (const l of b.labels) if (l < C) supervised++;
  const scale = 1 / Math.max(supervised, 1);
  // one compact feed set per image: worker threads take whole buffers
  const feeds: Feeds[] = Array.from({ length: B }, (_, i) => {
    const target = new Float32Array(hw * C);
    for (let px = 0; px < hw; px++) {
      const l = b.labels[i * hw + px]!;
      if (l < C) target[px * C + l] = 1;
    }
    return {
      x: { data: pixels.slice(i * hw * 3, (i + 1) * hw * 3), dims: [1, h, w, 3] },
      multiplier: { data: multiplier.slice(i * hw * F, (i + 1) * hw * F), dims: [1, h, w, F] },
      target: { data: target, dims: [1, h, w, C] },
      scale: { data: Float32Array.of(scale), dims: [] },
    };
  });
  const sums = await engine.sumOverRuns(trainStepOnnxModel(p, h, w), feeds);
  return { loss: sums.loss![0]!, grads: p.layers.flatMap((l) => [sums[`${l.spec.name}/kernel`]!, sums[`${l.spec.name}/bias`]!]) };
}
