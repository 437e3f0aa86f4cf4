// The addon's device buffers on the emulated device: the caching allocator's size classes, reuse,
// statistics and emptyCache, host↔device copies (async read equals readSync), and every argument
// checked at the N-API boundary with an error naming what was wrong.
import { describe, expect, it } from 'vitest';
import { loadAddon } from '../src/native/addon.js';
import { DeviceMemory, type DeviceHandle } from '../src/native/device-memory.js';

const KiB = 1024;
const MiB = 1024 * KiB;

describe('caching allocator', () => {
  it('rounds small requests up to 512-byte classes and large ones (>= 1 MiB) to 2 MiB classes', () => {
    const device = new DeviceMemory('emulated');
    const sizes: [request: number, sizeClass: number][] = [
      [0, 512],
      [1, 512],
      [512, 512],
      [513, 1024],
      [MiB - 1, MiB],
      [MiB, 2 * MiB],
      [2 * MiB + 1, 4 * MiB],
    ];
    for (const [request, sizeClass] of sizes) {
      const before = device.stats().inUseBytes;
      const id = device.alloc(request);
      expect(device.stats().inUseBytes - before, `request of ${request} bytes`).toBe(sizeClass);
      device.free(id);
    }
  });

  it('reuses a freed block of the same size class instead of allocating a fresh one', () => {
    const device = new DeviceMemory('emulated');
    const a = device.alloc(1000);
    expect(device.stats()).toMatchObject({ allocations: 1, inUseBytes: 1024, cachedBytes: 0 });
    device.free(a);
    expect(device.stats()).toMatchObject({ allocations: 1, inUseBytes: 0, cachedBytes: 1024 });
    const b = device.alloc(1024);
    expect(device.stats()).toMatchObject({ allocations: 1, inUseBytes: 1024, cachedBytes: 0 });
    const c = device.alloc(600);
    expect(device.stats().allocations).toBe(2);
    device.free(b);
    device.free(c);
    // another class does not take a cached block
    device.alloc(4096);
    expect(device.stats()).toMatchObject({ allocations: 3, cachedBytes: 2048 });
  });

  it('peakBytes is the most ever in use; emptyCache returns the cached blocks to the device', () => {
    const device = new DeviceMemory('emulated');
    const ids = [device.alloc(3 * MiB), device.alloc(512), device.alloc(512)];
    expect(device.stats().peakBytes).toBe(4 * MiB + 1024);
    for (const id of ids) device.free(id);
    expect(device.stats()).toMatchObject({ inUseBytes: 0, cachedBytes: 4 * MiB + 1024, peakBytes: 4 * MiB + 1024 });
    device.emptyCache();
    expect(device.stats()).toMatchObject({ inUseBytes: 0, cachedBytes: 0, peakBytes: 4 * MiB + 1024, buffers: 0 });
    device.alloc(512);
    expect(device.stats().allocations).toBe(4);
  });
});

describe('copies', () => {
  it('write, readSync, async read and device copy move the bytes and are counted', async () => {
    const device = new DeviceMemory('emulated');
    expect(device.name).toBe('emulated (host memory)');
    const values = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i) * 1e3);
    const a = device.alloc(values.byteLength);
    device.write(a, values);
    const sync = device.readSync(a, new Float32Array(1000));
    const later = await device.read(a, new Float32Array(1000));
    expect(sync).toEqual(values);
    expect(later).toEqual(sync);
    const b = device.alloc(values.byteLength);
    device.copy(b, a, values.byteLength);
    expect(device.readSync(b, new Float32Array(1000))).toEqual(values);
    expect(device.stats()).toMatchObject({ hostToDeviceBytes: 4000, deviceToHostBytes: 12000 });
  });

  it('an async read started before the buffer is freed still completes with its values', async () => {
    const device = new DeviceMemory('emulated');
    const values = Int32Array.from({ length: 300_000 }, (_, i) => i);
    const id = device.alloc(values.byteLength);
    device.write(id, values);
    const pending = device.read(id, new Int32Array(values.length));
    device.free(id);
    expect(await pending).toEqual(values);
    expect(device.stats().inUseBytes).toBe(0);
  });

  it('reads into a view at an offset of a larger buffer', () => {
    const device = new DeviceMemory('emulated');
    const id = device.alloc(8);
    device.write(id, new Float32Array([1, 2]));
    const backing = new Float32Array(4);
    device.readSync(id, backing.subarray(1, 3));
    expect(Array.from(backing)).toEqual([0, 1, 2, 0]);
  });
});

describe('argument checks at the boundary', () => {
  const device = new DeviceMemory('emulated');

  it('names an unknown buffer, a freed buffer and a size mismatch', async () => {
    const id = device.alloc(16);
    expect(() => device.write(id, new Float32Array(3))).toThrow('deviceWrite: array: expected 16 bytes (the buffer\'s size), got 12');
    expect(() => device.readSync(id, new Float32Array(5))).toThrow('deviceReadSync: array: expected 16 bytes');
    expect(() => device.read(id, new Uint8Array(1))).toThrow('deviceRead: array: expected 16 bytes');
    expect(() => device.readSync(999_999, new Float32Array(4))).toThrow('id: unknown buffer 999999');
    device.free(id);
    expect(() => device.free(id)).toThrow(`id: buffer ${id} was freed`);
    expect(() => device.readSync(id, new Float32Array(4))).toThrow(`id: buffer ${id} was freed`);
    const other = device.alloc(16);
    expect(() => device.copy(other, id, 16)).toThrow(`src: buffer ${id} was freed`);
  });

  it('checks ids, byte counts, arrays and the handle', () => {
    const a = device.alloc(16);
    const b = device.alloc(8);
    expect(() => device.copy(b, a, 16)).toThrow('bytes: expected 0..8 (within both buffers), got 16');
    expect(() => device.alloc(-1)).toThrow('bytes: expected >= 0, got -1');
    expect(() => device.alloc(1.5)).toThrow('bytes: expected an integer');
    expect(() => device.free(0)).toThrow('id: expected a buffer id >= 1, got 0');
    expect(() => device.write(a, [1, 2, 3, 4] as unknown as Float32Array)).toThrow('deviceWrite: array: expected a typed array');
    const addon = loadAddon();
    expect(() => addon.deviceAlloc({} as DeviceHandle, 4)).toThrow('device: expected a handle from deviceOpen');
    expect(() => addon.deviceStats(undefined as unknown as DeviceHandle)).toThrow('missing argument 0 (device)');
  });

  it('an unknown device kind is named (the CUDA device without a GPU: cuda-device-open.test.ts)', () => {
    expect(() => new DeviceMemory('tpu' as 'cuda')).toThrow("unknown device kind 'tpu' (expected emulated or cuda)");
  });
});
