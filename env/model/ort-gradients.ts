/**
 * Loss and gradients of one SGD batch on the native engine: the training graph (onnx-train.ts) built
 * from the current weights, run one image at a time (measured fastest: a 96×96 image's activations
 * stay in cache; a batch of 24 in one run is ~2× slower per image), and the per-image gradients
 * summed. The loss is normalised by the whole batch's supervised pixels, as maskedCrossEntropy, so
 * the sums are the batch's loss and gradients.
 */
import type { CropBatch } from './batches.ts';
import { trainStepOnnxModel } from './onnx-train.ts';
import type { OrtEngine } from './ort-engine.ts';
import { normalisedPixels, type UNetParams } from './unet.ts';

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
  const pixels = normalisedPixels(b.bytes);
  let supervised = 0;
  for (const l of b.labels) if (l < C) supervised++;
  const scale = engine.tensor(Float32Array.of(1 / Math.max(supervised, 1)), []);
  const grads = p.layers.flatMap((l) => [new Float32Array(l.kernel.size), new Float32Array(l.bias.size)]);
  const names = p.layers.flatMap((l) => [`${l.spec.name}/kernel`, `${l.spec.name}/bias`]);
  const target = new Float32Array(h * w * C);
  let loss = 0;
  const session = await engine.createSession(trainStepOnnxModel(p, h, w));
  try {
    for (let i = 0; i < B; i++) {
      target.fill(0);
      for (let px = 0; px < h * w; px++) {
        const l = b.labels[i * h * w + px]!;
        if (l < C) target[px * C + l] = 1;
      }
      const out = await session.run({
        x: engine.tensor(pixels.subarray(i * h * w * 3, (i + 1) * h * w * 3), [1, h, w, 3]),
        multiplier: engine.tensor(multiplier.subarray(i * h * w * F, (i + 1) * h * w * F), [1, h, w, F]),
        target: engine.tensor(target, [1, h, w, C]),
        scale,
      });
      loss += (out.loss!.data as Float32Array)[0]!;
      names.forEach((name, v) => {
        const g = out[name]!.data as Float32Array;
        const acc = grads[v]!;
        for (let j = 0; j < acc.length; j++) acc[j]! += g[j]!;
      });
      for (const t of Object.values(out)) t.dispose();
    }
  } finally {
    await session.release();
  }
  return { loss, grads };
}
