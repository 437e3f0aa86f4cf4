// Issue 12: the engine on backend cuda (emulated device): the run names the device, every step
// carries the device's memory, which does not grow from the first epoch to the last, and a resumed
// run equals an uninterrupted one.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCheckpoint } from '../src/train/checkpoint.js';
import { defaultSetup } from '../src/train/engine-setup.js';
import type { RunEvent, StepEvent } from '../src/train/events.js';
import { startEngineInProcess } from '../src/train/in-process.js';
import { cli } from './cli-process.js';
import { emulatedCudaWorld, record } from './engine-fixture.js';

const world = emulatedCudaWorld();

async function train(out: string, epochs: number, resume?: string) {
  const handle = startEngineInProcess(world().config({ epochs }), { out, resume, backend: 'cuda', autoStart: true, finalEvaluation: false }, defaultSetup());
  const events = record(handle);
  const exit = await handle.done;
  expect(exit.error).toBeNull();
  return events;
}

describe('the engine on backend cuda (emulated device)', () => {
  it('names the device; every step carries memory statistics that do not grow from the first epoch to the last', async () => {
    const events = await train(join(world().root, 'memory'), 3);
    const run = events.find((e): e is RunEvent => e.type === 'run')!;
    expect(run.backend).toBe('cuda');
    expect(run.device).toMatch(/emulated/);
    const steps = events.filter((e): e is StepEvent => e.type === 'step');
    expect(steps).toHaveLength(6);
    // every kernel of every step ran on the device: no host fallback, one small read a step
    for (const s of steps) expect(s.memory).toMatchObject({ inUseBytes: expect.any(Number), fallbacks: 0 });
    const lastOfEpoch = (epoch: number) => steps.filter((s) => s.epoch === epoch).at(-1)!.memory!;
    expect(lastOfEpoch(2).inUseBytes).toBe(lastOfEpoch(0).inUseBytes);
    expect(lastOfEpoch(2).peakBytes).toBe(lastOfEpoch(1).peakBytes);
  }, 180_000);

  it('2 epochs straight equal 1 epoch + --resume for 1 more', async () => {
    await train(join(world().root, 'straight'), 2);
    const split = join(world().root, 'split');
    await train(split, 1);
    await train(split, 2, join(split, 'checkpoint-last'));
    const a = readCheckpoint(join(world().root, 'straight', 'checkpoint-last')).state;
    const b = readCheckpoint(join(split, 'checkpoint-last')).state;
    let worst = 0;
    for (const name of Object.keys(a)) for (let i = 0; i < a[name].data.length; i++) worst = Math.max(worst, Math.abs(a[name].data[i] - b[name].data[i]));
    expect(worst).toBeLessThanOrEqual(1e-6);
  }, 180_000);
});

describe('mnf-tui train --backend cuda (emulated device), headless', () => {
  it('exits 0; the run event names backend cuda and the emulated device; inUseBytes does not grow from the first epoch to the last', () => {
    const out = join(world().root, 'cli');
    const r = cli(['train', '--backend', 'cuda', '--headless', '--preset', 'tiny', '--epochs', '3', '--batch', '3', '--dataset', world().dataset, '--out', out], {
      MNF_CUDA_DEVICE: 'emulated',
    });
    expect(r.code, r.stderr).toBe(0);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string } & Record<string, unknown>);
    expect(events.find((e) => e.type === 'run')).toMatchObject({ backend: 'cuda', device: 'emulated (host memory)' });
    const steps = events.filter((e): e is StepEvent & { type: 'step' } => e.type === 'step');
    for (const s of steps) expect(s.memory?.inUseBytes).toEqual(expect.any(Number));
    const inUse = (epoch: number) => steps.filter((s) => s.epoch === epoch).at(-1)!.memory!.inUseBytes;
    expect(inUse(2)).toBeLessThanOrEqual(inUse(0));
  }, 180_000);
});
