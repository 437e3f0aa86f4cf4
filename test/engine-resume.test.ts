import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCheckpoint } from '../src/train/checkpoint.js';
import { startEngineInProcess } from '../src/train/in-process.js';
import { defaultSetup } from '../src/train/engine-setup.js';
import type { TensorState } from '../src/train/types.js';
import { record, tinyWorld, type TinyWorld } from './engine-fixture.js';

let world: TinyWorld;
beforeAll(async () => {
  world = await tinyWorld();
});
afterAll(() => world?.cleanup());

function maxDifference(a: TensorState, b: TensorState): number {
  expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
  let worst = 0;
  for (const name of Object.keys(a)) {
    expect(b[name].shape).toEqual(a[name].shape);
    for (let i = 0; i < a[name].data.length; i++) worst = Math.max(worst, Math.abs(a[name].data[i] - b[name].data[i]));
  }
  return worst;
}

async function train(out: string, epochs: number, resume?: string) {
  const handle = startEngineInProcess(world.config({ epochs }), { out, resume, backend: 'native', autoStart: true, finalEvaluation: false }, defaultSetup());
  const events = record(handle);
  const exit = await handle.done;
  expect(exit.error).toBeNull();
  return events;
}

describe('resuming from a checkpoint', () => {
  it('2 epochs straight equal 1 epoch + --resume for 1 more (weights, BN statistics, optimiser state)', async () => {
    const straight = join(world.root, 'straight');
    const split = join(world.root, 'split');
    await train(straight, 2);
    await train(split, 1);
    const resumed = await train(split, 2, join(split, 'checkpoint-last'));
    const run = resumed.find((e) => e.type === 'run');
    expect(run?.type === 'run' && run.resumedFrom?.epoch).toBe(1);
    expect(resumed.filter((e) => e.type === 'step').map((e) => e.type === 'step' && e.epoch)).toEqual([1, 1]);

    const a = readCheckpoint(join(straight, 'checkpoint-last'));
    const b = readCheckpoint(join(split, 'checkpoint-last'));
    expect(b.meta.step).toBe(a.meta.step);
    expect(b.meta.epoch).toBe(2);
    expect(maxDifference(a.state, b.state)).toBeLessThanOrEqual(1e-6);
    // and training changed the weights: the comparison is not between two initial states
    const first = readCheckpoint(join(split, 'checkpoint-best'));
    expect(maxDifference(a.state, first.state)).toBeGreaterThan(1e-4);
  }, 120_000);

  it('a run stopped mid-epoch continues exactly from the saved batch', async () => {
    const straight = join(world.root, 'straight');
    const stopped = join(world.root, 'stopped');
    const handle = startEngineInProcess(world.config({ epochs: 2 }), { out: stopped, backend: 'native', autoStart: true, finalEvaluation: false }, defaultSetup());
    // stop after the first step of the second epoch (2 batches per epoch)
    handle.on((e) => {
      if (e.type === 'step' && e.step === 3) handle.send({ type: 'stop' });
    });
    const events = record(handle);
    const exit = await handle.done;
    expect(exit.state).toBe('done');
    const done = events.find((e) => e.type === 'done');
    expect(done?.type === 'done' && done.reason).toBe('stopped');
    const saved = readCheckpoint(join(stopped, 'checkpoint-last'));
    expect(saved.meta.step).toBe(3);
    expect(saved.meta.epoch).toBe(1);
    expect(saved.meta.batch).toBe(1);

    const resumed = await train(stopped, 2, join(stopped, 'checkpoint-last'));
    expect(resumed.filter((e) => e.type === 'step').map((e) => e.type === 'step' && [e.epoch, e.batch, e.step])).toEqual([[1, 2, 4]]);
    const a = readCheckpoint(join(straight, 'checkpoint-last'));
    const b = readCheckpoint(join(stopped, 'checkpoint-last'));
    expect(maxDifference(a.state, b.state)).toBeLessThanOrEqual(1e-6);
  }, 120_000);
});
