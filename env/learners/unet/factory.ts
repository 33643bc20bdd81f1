/** UNet-S in the learner registry: `model: { name: "unet-s", widths?, dropoutRate? }`. */
import { ConfigError } from '../../../core/errors.ts';
import type { LearnerSpec } from '../learner.ts';
import type { LearnerFactory } from '../learner.ts';
import { UNET_S } from './net.ts';
import { UNET_NAME, UNetLearner } from './learner.ts';

interface UNetSpec extends LearnerSpec {
  readonly widths: readonly number[];
  readonly dropoutRate: number;
}

function settings(spec: LearnerSpec): UNetSpec {
  return { ...spec, name: UNET_NAME, widths: (spec.widths as number[] | undefined) ?? [...UNET_S.widths], dropoutRate: (spec.dropoutRate as number | undefined) ?? UNET_S.dropoutRate };
}

export const unetFactory: LearnerFactory = {
  name: UNET_NAME,
  description: 'UNet-S (118k parameters) trained end to end from scratch: the paper-style learner where the whole net trains',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['name'],
    properties: {
      name: { const: UNET_NAME },
      widths: { type: 'array', items: { type: 'integer', minimum: 1 }, minItems: 1, maxItems: 6 },
      dropoutRate: { type: 'number', minimum: 0, exclusiveMaximum: 1 },
    },
  },
  resolve: settings,
  async create(spec, ctx, rng) {
    const s = settings(spec);
    const { data } = ctx;
    const div = 1 << (s.widths.length - 1);
    if (data.height % div !== 0 || data.width % div !== 0) throw new ConfigError(`${UNET_NAME} with ${s.widths.length} levels needs an image size divisible by ${div}; the data set '${data.name}' is ${data.height}×${data.width}`);
    return UNetLearner.create(data.numClasses, data.height, data.width, rng, ctx.train, { widths: s.widths, dropoutRate: s.dropoutRate });
  },
  async load(dir, _spec, ctx) {
    const m = await UNetLearner.load(dir, ctx.train);
    if (m.height !== ctx.data.height || m.width !== ctx.data.width || m.numClasses !== ctx.data.numClasses) {
      const got = `${m.height}×${m.width}, ${m.numClasses} classes`;
      m.dispose();
      throw new ConfigError(`${dir}: a ${UNET_NAME} model for ${got}; the data set '${ctx.data.name}' is ${ctx.data.height}×${ctx.data.width}, ${ctx.data.numClasses} classes`);
    }
    return m;
  },
};
