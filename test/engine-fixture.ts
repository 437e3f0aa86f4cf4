// Shared by the engine tests: a tiny generated dataset and a tiny run configuration.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { resolveConfig } from '../src/config/presets.js';
import type { RunConfig } from '../src/config/types.js';
import { makeSynthetic } from '../src/data/synthetic.js';
import type { EngineEvent, EngineHandle } from '../src/train/events.js';

export interface TinyWorld {
  root: string;
  dataset: string;
  config(overrides?: Partial<RunConfig>): RunConfig;
  cleanup(): void;
}

/** 3 classes × 3 videos (2 training, 1 validation each) of 6 frames at 16×22 pixels. */
export async function tinyWorld(): Promise<TinyWorld> {
  const root = mkdtempSync(join(tmpdir(), 'mnf-engine-'));
  const dataset = join(root, 'dataset');
  await makeSynthetic({ out: dataset, classes: 3, videosPerClass: 3, frames: 6, size: 16, seed: 5, valFraction: 0.34 });
  return {
    root,
    dataset,
    config: (overrides = {}) =>
      resolveConfig('tiny', { dataset, batch: 3, clipLength: 4, size: 16, epochs: 2, model: { numClasses: 3, featureDim: 32 }, ...overrides }),
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** Collects every event of a handle. */
export function record(handle: EngineHandle): EngineEvent[] {
  const events: EngineEvent[] = [];
  handle.on((e) => events.push(e));
  return events;
}

/** A tinyWorld for the enclosing describe, with backend cuda on the emulated device
 *  (MNF_CUDA_DEVICE=emulated, restored afterwards); call the result inside the tests. */
export function emulatedCudaWorld(): () => TinyWorld {
  let world: TinyWorld | undefined;
  const previous = process.env.MNF_CUDA_DEVICE;
  beforeAll(async () => {
    process.env.MNF_CUDA_DEVICE = 'emulated';
    world = await tinyWorld();
  });
  afterAll(() => {
    if (previous === undefined) delete process.env.MNF_CUDA_DEVICE;
    else process.env.MNF_CUDA_DEVICE = previous;
    world?.cleanup();
  });
  return () => world!;
}
