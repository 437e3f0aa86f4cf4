// A training step of the trainer on backend 'cuda' (emulated device) equals the same step on 'native',
// leaks neither tensors nor device memory, and runs every kernel of the step on the device (fallbacks, when any, are counted and named).
import { afterAll, describe, expect, it } from 'vitest';
import type { RunConfig } from '../src/config/types.js';
import { initBackend } from '../src/backend/select.js';
import type { CudaBackend } from '../src/backend/cuda/backend.js';
import { stepMemoryStats } from '../src/backend/cuda/memory-stats.js';
import { createTrainer } from '../src/train/trainer.js';
import type { TensorState } from '../src/train/types.js';
import { tf } from '../src/tf.js';
import { makeBatch, microConfig } from './trainer-fixture.js';


/** One step of a fresh trainer on `backend`: its losses and every weight, moment and statistic after it. */
async function oneStep(backend: 'native' | 'cuda', method: RunConfig['method'] = 'mnf-csc'): Promise<{ losses: Record<string, number>; state: TensorState }> {
  await initBackend(backend, { device: 'emulated' });
  expect(tf.getBackend()).toBe(backend);
  const trainer = createTrainer(microConfig({ method }));
  const { losses } = await trainer.step(makeBatch(1));
  const state = trainer.getState();
  trainer.dispose();
  return { losses: losses as unknown as Record<string, number>, state };
}

afterAll(() => initBackend('native'));

describe('backend cuda (emulated device) in a training step', () => {
  it.each(['ce', 'feat-kd', 'contrastive', 'csc', 'mnf-csc'] as const)('one %s step equals the same step on native to 1e-5', async (method) => {
    const native = await oneStep('native', method);
    const cuda = await oneStep('cuda', method);
    expect(Object.keys(cuda.losses).sort()).toEqual(Object.keys(native.losses).sort());
    for (const [term, value] of Object.entries(native.losses)) expect(Math.abs(cuda.losses[term]! - value), term).toBeLessThanOrEqual(1e-5);
    expect(Object.keys(cuda.state).sort()).toEqual(Object.keys(native.state).sort());
    for (const key of Object.keys(native.state)) {
      const [x, y] = [cuda.state[key]!.data, native.state[key]!.data];
      expect(x.length, key).toBe(y.length);
      const worst = x.reduce((m, v, i) => Math.max(m, Math.abs(v - y[i]!)), 0);
      expect(worst, key).toBeLessThanOrEqual(1e-5);
    }
  }, 60_000);

  it('numTensors and the device in-use bytes are the same after step 2 and step 50; no kernel falls back to the host', async () => {
    await initBackend('cuda', { device: 'emulated' });
    const backend = tf.backend() as CudaBackend;
    const trainer = createTrainer(microConfig());
    const batch = makeBatch(3);
    const before = backend.stats().fallbacks;
    let afterSecond: { numTensors: number; inUseBytes: number } | undefined;
    let readsAfterSecond = 0;
    for (let step = 1; step <= 50; step++) {
      await trainer.step(batch);
      if (step === 2) {
        afterSecond = { numTensors: tf.memory().numTensors, inUseBytes: backend.stats().inUseBytes };
        readsAfterSecond = backend.stats().readSyncCalls;
      }
    }
    // one synchronous read a step: the packed scalars
    expect(backend.stats().readSyncCalls - readsAfterSecond).toBeLessThanOrEqual(48);
    expect({ numTensors: tf.memory().numTensors, inUseBytes: backend.stats().inUseBytes }).toEqual(afterSecond);
    const stats = backend.stats();
    // every kernel of the step runs on the device
    expect(stats.fallbacks - before).toBe(0);
    expect(stats.fallbacksByKernel).toEqual({});
    expect(backend.fallbackKernels()).toEqual(Object.keys(stats.fallbacksByKernel));
    expect(stats.cachedBytes).toBeGreaterThan(0);
    expect(backend.host.numDataIds()).toBe(0);
    trainer.dispose();
  }, 120_000);
});

describe('stepMemoryStats', () => {
  it("is the device's figures on cuda and undefined on a host backend", async () => {
    await initBackend('cuda', { device: 'emulated' });
    const stats = stepMemoryStats()!;
    expect(Object.keys(stats).sort()).toEqual(['allocations', 'cachedBytes', 'deviceToHostBytes', 'fallbacks', 'hostToDeviceBytes', 'inUseBytes', 'peakBytes']);
    const x = tf.ones([1000]);
    expect(stepMemoryStats()!.inUseBytes - stats.inUseBytes).toBe(4096);
    // transfers and fallbacks count what happened since the previous read
    // Slice still runs on the host: one fallback, its input copied out, its output in
    const y = tf.slice(x, [1], [500]);
    const afterSlice = stepMemoryStats()!;
    expect(afterSlice.fallbacks).toBe(1);
    expect(afterSlice.deviceToHostBytes).toBe(4000);
    expect(afterSlice.hostToDeviceBytes).toBe(2000);
    expect(stepMemoryStats()).toMatchObject({ fallbacks: 0, hostToDeviceBytes: 0, deviceToHostBytes: 0 });
    y.dispose();
    x.dispose();
    await initBackend('native');
    expect(stepMemoryStats()).toBeUndefined();
  });
});
