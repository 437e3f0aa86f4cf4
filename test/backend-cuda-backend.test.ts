// Backend 'cuda' on the emulated device, through tfjs: values round-trip through device buffers,
// read() is async and equals readSync (which is counted), Reshape/Identity/same-dtype Cast share the
// buffer, other kernels run as counted, named host fallbacks, and selection fails in one line.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend/select.js';
import type { CudaBackend } from '../src/backend/cuda/backend.js';
import { cudaDeviceKind, registerCudaBackend } from '../src/backend/cuda/register.js';
import { deviceInfo } from '../src/native/device.js';
import { tf } from '../src/tf.js';

const cuda = () => tf.backend() as CudaBackend;
const reported: string[] = [];

beforeAll(async () => {
  registerCudaBackend({ device: 'emulated', onFallback: (name) => reported.push(name) });
  const info = await initBackend('cuda', { device: 'emulated' });
  expect(info).toMatchObject({ name: 'cuda', device: 'emulated (host memory)', cuda: false });
});
afterAll(() => initBackend('native'));

describe('device-resident tensors', () => {
  it('keep their values in device buffers; read() is async and equals readSync, which is counted', async () => {
    const before = cuda().stats();
    const x = tf.tensor2d([1.5, -2, 3, 4e-8], [2, 2]);
    const n = tf.tensor1d([7, -1, 2 ** 30], 'int32');
    const b = tf.tensor1d([true, false, true], 'bool');
    const after = cuda().stats();
    expect(after.inUseBytes - before.inUseBytes).toBe(3 * 512);
    expect(after.hostToDeviceBytes - before.hostToDeviceBytes).toBe(16 + 12 + 3);

    const asyncValues = await x.data();
    expect(cuda().stats().readSyncCalls).toBe(before.readSyncCalls);
    expect(Array.from(asyncValues)).toEqual(Array.from(new Float32Array([1.5, -2, 3, 4e-8])));
    expect(Array.from(n.dataSync())).toEqual([7, -1, 2 ** 30]);
    expect(Array.from(b.dataSync())).toEqual([1, 0, 1]);
    expect(cuda().stats().readSyncCalls).toBe(before.readSyncCalls + 2);
    // the host copy kept after a read answers the next readSync without the device
    expect(x.dataSync()).toEqual(asyncValues);
    expect(cuda().stats().readSyncCalls).toBe(before.readSyncCalls + 2);
    tf.dispose([x, n, b]);
    expect(cuda().stats().inUseBytes).toBe(before.inUseBytes);
  });

  it('strings stay on the host', () => {
    const before = cuda().stats().inUseBytes;
    const s = tf.tensor1d(['video', 'audio'], 'string');
    expect(cuda().stats().inUseBytes).toBe(before);
    expect(s.arraySync()).toEqual(['video', 'audio']);
    s.dispose();
  });

  it('Reshape, Identity and Cast float32→float32 share the buffer; the last dispose frees it', () => {
    const before = cuda().stats();
    const x = tf.tensor1d([1, 2, 3, 4, 5, 6]);
    const reshaped = x.reshape([2, -1]);
    const cloned = tf.clone(x);
    const cast = tf.cast(x, 'float32');
    const stats = cuda().stats();
    expect(stats.inUseBytes - before.inUseBytes).toBe(512);
    expect(stats.fallbacks).toBe(before.fallbacks);
    expect(reshaped.shape).toEqual([2, 3]);
    expect(reshaped.arraySync()).toEqual([[1, 2, 3], [4, 5, 6]]);
    x.dispose();
    reshaped.dispose();
    cloned.dispose();
    expect(cuda().stats().inUseBytes - before.inUseBytes).toBe(512);
    expect(Array.from(cast.dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
    cast.dispose();
    expect(cuda().stats().inUseBytes).toBe(before.inUseBytes);
    const odd = tf.tensor1d([1, 2, 3]);
    expect(() => odd.reshape([2, 2])).toThrow(/Size\(3\) must match the product of shape 2,2/);
    odd.dispose();
  });

  it('a tensor made on another backend moves to the device when used', async () => {
    await initBackend('native');
    const onNative = tf.tensor1d([1, 2, 3]);
    await initBackend('cuda', { device: 'emulated' });
    const sum = tf.add(onNative, 1);
    expect(Array.from(sum.dataSync())).toEqual([2, 3, 4]);
    tf.dispose([onNative, sum]);
  });
});

describe('host fallbacks', () => {
  it('run the native kernels on copies, counted per kernel and reported once per name', () => {
    // kernels without device code yet: Slice, PadV2, and Abs of int32 values
    const before = cuda().stats();
    const a = tf.tensor2d([[1, 2], [3, 4]]);
    const y = tf.slice(a, [1, 0], [1, 2]);
    const z = tf.slice(a, [0, 1], [2, 1]);
    const p = tf.pad(a, [[0, 1], [0, 0]]);
    const n = tf.abs(tf.tensor1d([-1, 2], 'int32'));
    expect(y.arraySync()).toEqual([[3, 4]]);
    expect(z.arraySync()).toEqual([[2], [4]]);
    expect(p.arraySync()).toEqual([[1, 2], [3, 4], [0, 0]]);
    expect(n.dtype).toBe('int32');
    expect(Array.from(n.dataSync())).toEqual([1, 2]);
    const after = cuda().stats();
    const more = (name: string) => after.fallbacksByKernel[name]! - (before.fallbacksByKernel[name] ?? 0);
    expect([more('Slice'), more('PadV2'), more('Abs')]).toEqual([2, 1, 1]);
    expect(after.fallbacks - before.fallbacks).toBe(4);
    expect(cuda().fallbackKernels()).toEqual(expect.arrayContaining(['Slice', 'PadV2', 'Abs']));
    expect(reported.filter((name) => name === 'Slice')).toEqual(['Slice']);
    // the host backend keeps nothing between calls
    expect(cuda().host.numDataIds()).toBe(0);
    tf.dispose([a, y, z, p, n]);
  });

  it('tf.memory() carries the device statistics and the fallback count', () => {
    const memory = tf.memory() as ReturnType<typeof tf.memory> & ReturnType<CudaBackend['stats']>;
    expect(memory.unreliable).toBe(false);
    for (const key of ['inUseBytes', 'cachedBytes', 'peakBytes', 'allocations', 'hostToDeviceBytes', 'deviceToHostBytes', 'fallbacks'] as const) {
      expect(typeof memory[key], key).toBe('number');
    }
    expect(memory.fallbacks).toBeGreaterThan(0);
  });
});

describe('selection', () => {
  it('the CUDA device fails in one line with the reason where no GPU is usable; a bad MNF_CUDA_DEVICE is named', async () => {
    if (deviceInfo().devices.length === 0) await expect(initBackend('cuda', { device: 'cuda' })).rejects.toThrow(
      /^backend 'cuda' is not available: .+; MNF_CUDA_DEVICE=emulated runs backend cuda on host memory$/,
    );
    expect(cudaDeviceKind({}, { MNF_CUDA_DEVICE: 'emulated' })).toBe('emulated');
    expect(cudaDeviceKind({}, {})).toBe('cuda');
    expect(cudaDeviceKind({ device: 'emulated' }, { MNF_CUDA_DEVICE: 'cuda' })).toBe('emulated');
    expect(() => cudaDeviceKind({}, { MNF_CUDA_DEVICE: 'gpu' })).toThrow(/^MNF_CUDA_DEVICE: expected one of emulated, cuda, got 'gpu'$/);
    await initBackend('cuda', { device: 'emulated' });
  });

  it('auto does not pick cuda without a usable GPU', async () => {
    const info = await initBackend('auto');
    expect(info.name).not.toBe('cuda');
    await initBackend('cuda', { device: 'emulated' });
  });
});
