import { describe, expect, it } from 'vitest';
import { initBackend, tf } from '../src/index.js';

describe('initBackend', () => {
  it('auto falls back to native when tensorflow does not load, and says why', async () => {
    const info = await initBackend('auto');
    expect(['tensorflow', 'native']).toContain(info.name);
    expect(tf.getBackend()).toBe(info.name);
    if (info.name === 'native') expect(info.reasons[0]).toMatch(/^tensorflow skipped: /);
    expect(info.threads).toBeGreaterThan(0);
  });

  it('native runs every cpu kernel it does not replace', async () => {
    await initBackend('native');
    const y = tf.tidy(() => tf.add(tf.tensor1d([1, 2]), tf.tensor1d([3, 4])).arraySync());
    expect(y).toEqual([4, 6]);
  });

  it('cpu is always available', async () => {
    const info = await initBackend('cpu');
    expect(info.name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
  });

  it('rejects an unknown name with one line', async () => {
    await expect(initBackend('gpu' as never)).rejects.toThrow(/expected one of auto, native, cpu, tensorflow, cuda, got 'gpu'/);
  });
});
