// The run configuration's schema: RunConfig's type is inferred from it, and validate.ts reports
// its faults. Each leaf carries the phrase that names what it expects ("an integer >= 2"), so a
// fault reads the same whether it came from a config file or a flag.
import { z } from 'zod';

/** The training methods (src/methods/registry.ts defines one entry per name). */
export const METHOD_NAMES = ['ce', 'feat-kd', 'contrastive', 'csc', 'mnf-csc'] as const;
export type MethodName = (typeof METHOD_NAMES)[number];

export const ON_BAD_SAMPLE_POLICIES = ['skip', 'fail'] as const;

/** How backend cuda's convolutions and matrix products compute (src/backend/cuda/math-mode.ts). */
export const PRECISIONS = ['fp32', 'bf16'] as const;

/** BatchNorm's batch statistics need at least two clips per step. */
export const MIN_BATCH = 2;

const expects = (phrase: string) => ({ error: phrase });
const quoted = (choices: readonly string[]) => choices.map((c) => `"${c}"`).join(', ');

const integer = (min: number) => z.int(expects(`an integer >= ${min}`)).min(min, expects(`an integer >= ${min}`));
const number = (min: number) => z.number(expects(`a number >= ${min}`)).min(min, expects(`a number >= ${min}`));
const positive = () => z.number(expects('a number > 0')).gt(0, expects('a number > 0'));
const choice = <const T extends readonly [string, ...string[]]>(choices: T) => z.enum(choices, expects(`one of ${quoted(choices)}`));
// A list fault is reported at the list's key (validate.ts drops the index), so its elements
// carry the list's phrase.
const integerList = (min: number) => {
  const phrase = `a list of integers >= ${min}`;
  return z.array(z.int(expects(phrase)).min(min, expects(phrase)), expects(phrase));
};
const integerQuad = (min: number) => {
  const phrase = `a list of 4 integers >= ${min}`;
  const element = () => z.int(expects(phrase)).min(min, expects(phrase));
  return z.tuple([element(), element(), element(), element()], expects(phrase));
};

export const ModelConfigSchema = z.strictObject({
  /** channel multiplier on 64-128-256 (the last stage is featureDim) */
  width: positive(),
  /** D: channels of the last stage = student feature size = MNF size */
  featureDim: integer(1),
  /** residual blocks per stage: [1,1,1,1] is R(2+1)D-10, [2,2,2,2] R(2+1)D-18 */
  layers: integerQuad(1),
  numClasses: integer(2),
  /** teacher feature size (512 for CNN14) */
  teacherDim: integer(1),
});

/** A run folder's config.json is exactly a RunConfig. */
export const RunConfigSchema = z.strictObject({
  preset: z.string(expects('a string')),
  method: choice(METHOD_NAMES),
  /** dataset folder in the seed layout; null = the embedded default dataset */
  dataset: z.string(expects('a string or null')).nullable(),
  /** frames per clip (T) */
  clipLength: integer(1),
  /** crop size (H = W) */
  size: integer(8),
  batch: integer(MIN_BATCH),
  epochs: integer(0),
  seed: integer(0),
  /** θ of the CSC temperature τ_ij = cos(v_i, ã_j) + θ (fixed τ = θ for 'contrastive') */
  theta: number(0),
  lrStudent: number(0),
  lrHead: number(0),
  weightDecay: number(0),
  /** epochs at which both learning rates are multiplied by lrGamma */
  milestones: integerList(0),
  lrGamma: number(0),
  l1Weight: number(0),
  tripletMargin: number(0),
  /** reproduce the seed's L1 that only reaches the gate's second linear layer */
  l1Original: z.boolean(expects('true or false')),
  model: ModelConfigSchema,
  /** clip-level validation every N epochs (0 = never during training) */
  evalEvery: integer(0),
  /** K of the seed's mAP@K */
  retrievalK: integer(1),
  onBadSample: choice(ON_BAD_SAMPLE_POLICIES),
  /** bf16: backend cuda's convolutions and GEMMs read bf16 operands (fp32 accumulation, fp32 master weights) */
  precision: choice(PRECISIONS),
  /** fp32 convolutions and GEMMs may use TF32 tensor cores (backend cuda on a GPU only) */
  tf32: z.boolean(expects('true or false')),
  /** data-parallel jobs: the in-batch losses' negatives are each rank's own share, not the global batch */
  localCsc: z.boolean(expects('true or false')),
  /** data-parallel jobs: BatchNorm's batch statistics over every rank's share (SyncBatchNorm) */
  syncBn: z.boolean(expects('true or false')),
});

/** Any subset of RunConfig's keys (a config file, flags); the model section key by key. */
export const ConfigOverridesSchema = RunConfigSchema.extend({ model: ModelConfigSchema.partial() }).partial();

export type ModelConfig = z.infer<typeof ModelConfigSchema>;
export type RunConfig = z.infer<typeof RunConfigSchema>;
export type ConfigOverrides = z.infer<typeof ConfigOverridesSchema>;
