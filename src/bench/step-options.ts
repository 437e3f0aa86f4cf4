// What the training-step benchmarks (bench step, bench scale) share: the timed and warm-up step
// counts, and the mnf-csc configuration of a preset (default bench-s).
import { intFlag, UsageError } from '../commands/args.js';
import { resolveConfig } from '../config/presets.js';
import type { RunConfig } from '../config/types.js';

export interface StepBenchOptions {
  steps: number;
  warmup: number;
  preset: string;
  config: RunConfig;
}

export function stepBenchOptions(values: { steps?: string; warmup?: string; preset?: string }): StepBenchOptions {
  const steps = intFlag(values.steps, '--steps', 1) ?? 5;
  const warmup = intFlag(values.warmup, '--warmup', 0) ?? 2;
  const preset = values.preset ?? 'bench-s';
  try {
    return { steps, warmup, preset, config: resolveConfig(preset, { method: 'mnf-csc' }) };
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}
