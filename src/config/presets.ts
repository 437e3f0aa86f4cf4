// Named run configurations. Paper defaults (DESIGN.md): Adam, weight decay 5e-4, lr 3e-4
// (student) / 6e-5 (MNF), ×0.1 at epoch 150 of 200, seed 3, θ 0.07 (UCF51) / 0.2 (ActivityNet).
// The synthetic presets ('tiny', 'console') use 10× the paper's learning rates so that a few
// epochs on the generated dataset show learning; their teacher features stay 512-d (the data
// side's CNN14-like features) and are pooled to D (models/teacher.ts).
import type { ConfigOverrides, ModelConfig, RunConfig } from './schema.js';

const PAPER: RunConfig = {
  preset: 'ucf51',
  method: 'mnf-csc',
  dataset: null,
  clipLength: 16,
  size: 112,
  batch: 32,
  epochs: 200,
  seed: 3,
  theta: 0.07,
  lrStudent: 3e-4,
  lrHead: 6e-5,
  weightDecay: 5e-4,
  milestones: [150],
  lrGamma: 0.1,
  l1Weight: 0.001,
  tripletMargin: 0.2,
  l1Original: false,
  model: { width: 1, featureDim: 512, layers: [1, 1, 1, 1], numClasses: 51, teacherDim: 512 },
  evalEvery: 1,
  retrievalK: 500,
  onBadSample: 'skip',
  precision: 'fp32',
  tf32: true,
  localCsc: false,
  syncBn: false,
};

const PRESETS: Record<string, ConfigOverrides> = {
  ucf51: {},
  activitynet: { batch: 64, theta: 0.2, retrievalK: 100, model: { numClasses: 200 } },
  'bench-s': { batch: 8, clipLength: 8, size: 64, model: { width: 0.5, featureDim: 512, numClasses: 51 } },
  tiny: {
    clipLength: 4,
    size: 32,
    batch: 8,
    epochs: 2,
    milestones: [],
    lrStudent: 3e-3,
    lrHead: 6e-4,
    evalEvery: 1,
    retrievalK: 20,
    model: { width: 0.25, featureDim: 64, numClasses: 4 },
  },
  console: {
    clipLength: 8,
    size: 48,
    batch: 16,
    epochs: 30,
    milestones: [20],
    lrStudent: 3e-3,
    lrHead: 6e-4,
    evalEvery: 1,
    retrievalK: 50,
    model: { width: 0.25, featureDim: 128, numClasses: 6 },
  },
};

export const PRESET_NAMES: readonly string[] = Object.keys(PRESETS);

/** The preset of `mnf-tui` and `mnf-tui train` without --preset or a config file's preset. */
export const DEFAULT_PRESET = 'console';

export type { ConfigOverrides };

/** The preset's RunConfig with overrides applied (model fields merged one level deep). */
export function resolveConfig(presetName: string, overrides: ConfigOverrides = {}): RunConfig {
  const preset = PRESETS[presetName];
  if (!preset) throw new Error(`--preset: expected one of ${PRESET_NAMES.join(', ')}, got '${presetName}'`);
  const model: ModelConfig = { ...PAPER.model, ...preset.model, ...overrides.model };
  return structuredClone({ ...PAPER, ...preset, ...overrides, preset: presetName, model });
}
