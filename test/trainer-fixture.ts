// A very small model and batch for the trainer tests: 2 frames of 16×16, channels 8-16-32-16, a
// 32-d teacher pooled to D = 16, 4 clips of 3 classes.
import { resolveConfig } from '../src/config/presets.js';
import type { RunConfig } from '../src/config/types.js';
import type { ClipBatch } from '../src/data/types.js';

export const B = 4;
export const TEACHER_DIM = 32;

export function microConfig(overrides: Partial<RunConfig> = {}): RunConfig {
  return resolveConfig('tiny', {
    batch: B,
    clipLength: 2,
    size: 16,
    ...overrides,
    model: { width: 0.125, featureDim: 16, numClasses: 3, teacherDim: TEACHER_DIM },
  });
}

export function makeBatch(seed: number): ClipBatch {
  const shape: ClipBatch['shape'] = [B, 2, 16, 16, 3];
  const n = shape.reduce((a, b) => a * b, 1);
  return {
    clips: Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37 + seed)),
    shape,
    teacher: Float32Array.from({ length: B * TEACHER_DIM }, (_, i) => Math.abs(Math.cos(i * 0.11 + seed))),
    teacherDim: TEACHER_DIM,
    labels: Int32Array.from([0, 1, 0, 2]),
    videoIndex: Int32Array.from([0, 1, 2, 3]),
  };
}
