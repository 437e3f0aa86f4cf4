// Opening the CUDA device: where no GPU is usable it fails in one line that says why (no driver, no
// device, a build without CUDA) and how to emulate it; where one is, it opens and names the GPU, and
// its buffers round-trip. The emulated device opens either way.
import { describe, expect, it } from 'vitest';
import { addonProblem } from '../src/native/addon.js';
import { deviceInfo } from '../src/native/device.js';
import { DeviceMemory } from '../src/native/device-memory.js';

const loads = addonProblem() === undefined;
const gpus = loads ? deviceInfo().devices.length : 0;

describe.skipIf(!loads)('deviceOpen', () => {
  it.skipIf(gpus > 0)('cuda without a usable GPU: one line naming the cause and MNF_CUDA_DEVICE=emulated', () => {
    let message = '';
    try {
      new DeviceMemory('cuda');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).not.toBe('');
    expect(message).not.toContain('\n');
    expect(message).toMatch(/no NVIDIA driver found|NVIDIA driver too old|no (usable )?device|built without CUDA|CUDA runtime:/);
    expect(message).toMatch(/; MNF_CUDA_DEVICE=emulated runs backend cuda on host memory$/);
    const info = deviceInfo();
    if (!info.cudaBuilt) expect(message).toMatch(/built without CUDA/);
  });

  it.skipIf(gpus === 0)('cuda with a GPU: opens it, names it, and copies bytes there and back', async () => {
    const gpu = new DeviceMemory('cuda');
    expect(gpu.name).toBe(deviceInfo().devices[0]!.name);
    const values = Float32Array.from({ length: 1000 }, (_, i) => i * 0.5 - 7);
    const a = gpu.alloc(values.byteLength);
    const b = gpu.alloc(values.byteLength);
    gpu.write(a, values);
    gpu.copy(b, a, values.byteLength);
    expect(gpu.readSync(b, new Float32Array(1000))).toEqual(values);
    expect(await gpu.read(b, new Float32Array(1000))).toEqual(values);
    expect(gpu.stats()).toMatchObject({ buffers: 2, hostToDeviceBytes: values.byteLength, deviceToHostBytes: 2 * values.byteLength });
    gpu.free(a);
    gpu.free(b);
  });

  it('the emulated device opens either way', () => {
    const device = new DeviceMemory('emulated');
    expect(device.name).toBe('emulated (host memory)');
    const id = device.alloc(8);
    expect(device.readSync(id, new Uint8Array(8))).toHaveLength(8);
  });
});
