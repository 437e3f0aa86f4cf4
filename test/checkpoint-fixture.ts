// Shared by the checkpoint tests: a small trainer after a few real optimisation steps (so the
// weights, BatchNorm statistics and both optimisers' moments are all non-trivial), and its checkpoint.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '../src/config/presets.js';
import type { MethodName, RunConfig } from '../src/config/types.js';
import type { ClipBatch } from '../src/data/types.js';
import { Rng } from '../src/rng.js';
import type { CheckpointMeta } from '../src/train/checkpoint.js';
import { createTrainer } from '../src/train/trainer.js';
import type { TensorState } from '../src/train/types.js';

/** clips of 4 frames of size × size pixels: 16 leave one token after the last stage, 24 leave 2×2 */
export function smallConfig(method: MethodName = 'mnf-csc', size = 16): RunConfig {
  return resolveConfig('tiny', {
    method,
    batch: 4,
    clipLength: 4,
    size,
    model: { width: 0.125, featureDim: 16, numClasses: 3, teacherDim: 16 },
  });
}

/** A batch of ImageNet-normalised-like clips and non-negative teacher features (seeded). */
export function randomBatch(config: RunConfig, seed: number): ClipBatch {
  const rng = new Rng(seed);
  const { batch: b, clipLength: t, size } = config;
  const shape: ClipBatch['shape'] = [b, t, size, size, 3];
  const clips = Float32Array.from({ length: b * t * size * size * 3 }, () => rng.normal());
  const teacher = Float32Array.from({ length: b * config.model.teacherDim }, () => Math.max(0, rng.normal()));
  const labels = Int32Array.from({ length: b }, (_, i) => i % config.model.numClasses);
  return { clips, shape, teacher, teacherDim: config.model.teacherDim, labels, videoIndex: Int32Array.from({ length: b }, (_, i) => i) };
}

/** The trainer's state after `steps` optimisation steps. */
export async function trainedState(config: RunConfig, steps = 2): Promise<TensorState> {
  const trainer = createTrainer(config);
  try {
    for (let i = 0; i < steps; i++) await trainer.step(randomBatch(config, 100 + i));
    return trainer.getState();
  } finally {
    trainer.dispose();
  }
}

export function metaFor(config: RunConfig, step: number): CheckpointMeta {
  return {
    config,
    method: config.method,
    epoch: 1,
    batch: 0,
    step,
    schedule: { lrStudent: config.lrStudent, lrHead: config.lrHead, milestones: config.milestones, gamma: config.lrGamma },
    best: { epoch: 0, top1: 0.5 },
    top1: 0.5,
  };
}

export function tempDirs(): { make(): string; cleanup(): void } {
  const dirs: string[] = [];
  return {
    make: () => {
      const d = mkdtempSync(join(tmpdir(), 'mnf-ckpt-'));
      dirs.push(d);
      return d;
    },
    cleanup: () => {
      for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
    },
  };
}

/** Same names, shapes and bits (a NaN's payload and the sign of zero included). */
export function sameBits(a: TensorState, b: TensorState): string[] {
  const problems: string[] = [];
  const names = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const name of names) {
    const [x, y] = [a[name], b[name]];
    if (!x || !y) problems.push(`${name}: only in ${x ? 'the first' : 'the second'}`);
    else if (x.shape.join() !== y.shape.join()) problems.push(`${name}: shape [${x.shape}] vs [${y.shape}]`);
    else {
      const [wx, wy] = [new Uint32Array(x.data.buffer, x.data.byteOffset, x.data.length), new Uint32Array(y.data.buffer, y.data.byteOffset, y.data.length)];
      const at = wx.findIndex((w, i) => w !== wy[i]);
      if (at >= 0 || wx.length !== wy.length) problems.push(`${name}: bits differ at ${at}`);
    }
  }
  return problems;
}
