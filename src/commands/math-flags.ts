// --precision and --tf32 (train and the console, eval, bench step): how backend cuda's convolutions
// and matrix products compute. bf16 needs backend cuda; --tf32 is accepted everywhere and only
// matters on a GPU.
import { PRECISIONS } from '../config/schema.js';
import type { CudaMathMode, Precision } from '../backend/cuda/math-mode.js';
import { choiceFlag, UsageError } from './args.js';

const TF32_SWITCH = ['on', 'off'] as const;

/** The flags' values; a field is absent where its flag was not given. */
export function mathFlags(values: { precision?: string; tf32?: string }): Partial<CudaMathMode> {
  const mode: Partial<CudaMathMode> = {};
  const precision: Precision | undefined = choiceFlag(values.precision, '--precision', PRECISIONS);
  if (precision !== undefined) mode.precision = precision;
  const tf32 = choiceFlag(values.tf32, '--tf32', TF32_SWITCH);
  if (tf32 !== undefined) mode.tf32 = tf32 === 'on';
  return mode;
}

/** bf16 runs only on backend cuda: a usage error (exit 2) naming the flag otherwise. */
export function checkPrecisionBackend(precision: Precision, backend: string | undefined): void {
  if (precision === 'bf16' && backend !== 'cuda') {
    throw new UsageError(`--precision bf16: needs --backend cuda (got --backend ${backend ?? 'auto'})`);
  }
}
