// The clip data path of backend cuda on the emulated device: clips decoded through the device op
// equal the host path's bit for bit, faults read the same, the loader hands out device tensors (and
// takes them back), and a training step on backend cuda no longer copies its clips from the host.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend/select.js';
import type { CudaBackend } from '../src/backend/cuda/backend.js';
import { cudaClipTarget, currentClipTarget } from '../src/backend/cuda/clip-target.js';
import { stepMemoryStats } from '../src/backend/cuda/memory-stats.js';
import { openDataset, type Dataset } from '../src/data/dataset.js';
import { createLoader, type LoaderOptions } from '../src/data/loader.js';
import { makeSynthetic } from '../src/data/synthetic.js';
import type { ClipBatch } from '../src/data/types.js';
import { decodeClips, readFrameBytes, writeJpegVideo } from '../src/native/decode.js';
import { deviceClipsBytes, deviceDecodeClips, type DeviceClipsRequest } from '../src/native/device-clips.js';
import { DeviceMemory } from '../src/native/device-memory.js';
import { defaultSetup } from '../src/train/engine-setup.js';
import type { StepEvent } from '../src/train/events.js';
import { startEngineInProcess } from '../src/train/in-process.js';
import { trainingDataFrom } from '../src/train/data-source.js';
import { tf } from '../src/tf.js';
import { removeTempDirs, tempDir } from './data-helpers.js';
import { emulatedCudaWorld, record } from './engine-fixture.js';

const device = new DeviceMemory('emulated');
let dataset: Dataset;
let paths: string[];

beforeAll(async () => {
  const out = tempDir();
  // frames of 30×40 pixels (size = height, width 4/3 of it)
  await makeSynthetic({ out, classes: 3, videosPerClass: 4, frames: 8, size: 30, seed: 9 });
  dataset = await openDataset(out);
  paths = dataset.videos('training').map((v) => v.videoPath);
});
afterAll(async () => {
  await initBackend('native');
  removeTempDirs();
});

async function hostClips(request: DeviceClipsRequest): Promise<{ faults: (string | null)[]; clips: Float32Array }> {
  const out = new Float32Array(deviceClipsBytes(request) / 4);
  const faults = await decodeClips({ ...request, out });
  return { faults, clips: out };
}

async function deviceClips(request: DeviceClipsRequest): Promise<{ faults: (string | null)[]; clips: Float32Array }> {
  const id = device.alloc(deviceClipsBytes(request));
  try {
    const faults = await deviceDecodeClips(device, id, request);
    return { faults, clips: device.readSync(id, new Float32Array(deviceClipsBytes(request) / 4)) };
  } finally {
    device.free(id);
  }
}

const bits = (a: Float32Array) => new Uint32Array(a.buffer, a.byteOffset, a.length);

describe('deviceDecodeClips on the emulated device', () => {
  it.each([
    { name: 'S=16, crops, flips', size: 16, boxes: [0, 0, 40, 30, 3.5, 2.25, 21, 17, 10, 5, 30, 25], flips: [1, 0, 1], T: 3 },
    { name: 'S=7, odd boxes, one upscaled', size: 7, boxes: [1.4, 2.6, 35.2, 26.9, 13, 11, 5, 3, 0, 0, 39, 29], flips: [0, 1, 0], T: 2 },
    { name: 'S=33, upscaled, odd', size: 33, boxes: [2, 3, 31, 23, 7.5, 0.5, 17, 29, 0, 0, 40, 30], flips: [1, 1, 0], T: 1 },
  ])('equals the host path bit for bit: $name', async ({ size, boxes, flips, T }) => {
    const request: DeviceClipsRequest = {
      paths: paths.slice(0, 3),
      frames: Int32Array.from({ length: 3 * T }, (_, k) => (k * 3) % 8),
      boxes: Float32Array.from(boxes),
      flips: Uint8Array.from(flips),
      size,
    };
    const host = await hostClips(request);
    const onDevice = await deviceClips(request);
    expect(onDevice.faults).toEqual([null, null, null]);
    expect(host.faults).toEqual(onDevice.faults);
    expect(onDevice.clips.some((v) => v !== 0)).toBe(true);
    expect(Buffer.from(bits(onDevice.clips).buffer).equals(Buffer.from(bits(host.clips).buffer))).toBe(true);
  });

  it("reports a bad sample's fault as the host path does and zeroes its clip only", async () => {
    const dir = tempDir();
    const corrupt = join(dir, 'corrupt.hdf5');
    const jpegs = [0, 1, 2].map((i) => readFrameBytes(paths[0]!, i));
    jpegs[1] = jpegs[1]!.slice(0, 40);
    await writeJpegVideo(corrupt, jpegs);
    const request: DeviceClipsRequest = {
      // a corrupt frame, a frame past the end, a good clip
      paths: [corrupt, paths[1]!, paths[2]!],
      frames: Int32Array.from([0, 1, 2, 99, 0, 1]),
      boxes: Float32Array.from([0, 0, 40, 30, 0, 0, 40, 30, 5, 5, 20, 20]),
      flips: Uint8Array.from([0, 0, 1]),
      size: 9,
    };
    const host = await hostClips(request);
    const onDevice = await deviceClips(request);
    expect(onDevice.faults[0]).toMatch(/corrupt\.hdf5: frame 1: /);
    expect(onDevice.faults[1]).toMatch(new RegExp(paths[1]!.replace(/[.]/g, '\\.')));
    expect(onDevice.faults[2]).toBeNull();
    expect(onDevice.faults).toEqual(host.faults);
    const clipFloats = 2 * 9 * 9 * 3;
    expect(onDevice.clips.subarray(0, 2 * clipFloats).every((v) => v === 0)).toBe(true);
    expect(Buffer.from(bits(onDevice.clips).buffer).equals(Buffer.from(bits(host.clips).buffer))).toBe(true);
  });

  it('a buffer of the wrong size is a RangeError that names the bytes expected; a bad request names its field', async () => {
    const request: DeviceClipsRequest = { paths: [paths[0]!], frames: Int32Array.from([0, 1]), boxes: Float32Array.from([0, 0, 20, 20]), flips: Uint8Array.from([0]), size: 8 };
    const expectedBytes = 1 * 2 * 8 * 8 * 3 * 4;
    const id = device.alloc(expectedBytes - 4);
    try {
      expect(() => deviceDecodeClips(device, id, request)).toThrow(RangeError);
      expect(() => deviceDecodeClips(device, id, request)).toThrow(`clips: expected a buffer of ${expectedBytes} bytes`);
      expect(() => deviceDecodeClips(device, id, { ...request, size: 0 })).toThrow(/request\.size: expected 1\.\.4096, got 0/);
      expect(() => deviceDecodeClips(device, id, { ...request, boxes: Float32Array.from([0, 0, 20]) })).toThrow(/request\.boxes/);
    } finally {
      device.free(id);
    }
  });
});

describe('the loader with backend cuda as its clip target (emulated device)', () => {
  let backend: CudaBackend;
  beforeAll(async () => {
    await initBackend('cuda', { device: 'emulated' });
    backend = tf.backend() as CudaBackend;
  });
  const options: LoaderOptions = { subset: 'training', mode: 'train', batchSize: 3, clipLength: 3, size: 11, seed: 4 };

  async function batches(withTarget: boolean): Promise<{ clips: Float32Array; batch: ClipBatch }[]> {
    const loader = createLoader(dataset, { ...options, clipTarget: withTarget ? cudaClipTarget(backend) : undefined });
    const out: { clips: Float32Array; batch: ClipBatch }[] = [];
    for await (const batch of loader) {
      // a device batch's tensor is lent until the next batch is asked for
      out.push({ clips: batch.deviceClips ? (batch.deviceClips.dataSync() as Float32Array) : batch.clips, batch });
    }
    await loader.close();
    return out;
  }

  it('is the current target only on backend cuda', async () => {
    expect(currentClipTarget()).toBeDefined();
    await initBackend('native');
    expect(currentClipTarget()).toBeUndefined();
    await initBackend('cuda', { device: 'emulated' });
    backend = tf.backend() as CudaBackend;
  });

  it('yields device tensors equal to the host batches, and disposes each when the next is asked for', async () => {
    const buffersBefore = backend.stats().buffers;
    const tensorsBefore = tf.memory().numTensors;
    const host = await batches(false);
    const onDevice = await batches(true);
    expect(onDevice.map((b) => b.batch.shape)).toEqual(host.map((b) => b.batch.shape));
    onDevice.forEach((b, i) => {
      expect(b.batch.deviceClips).toBeDefined();
      expect(b.batch.deviceClips!.isDisposed).toBe(true);
      expect(Array.from(b.batch.labels)).toEqual(Array.from(host[i]!.batch.labels));
      expect(bits(b.clips)).toEqual(bits(host[i]!.clips));
    });
    expect(backend.stats().buffers).toBe(buffersBefore);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });

  it("a device batch's clips are read back on first use while it is lent", async () => {
    const loader = createLoader(dataset, { ...options, clipTarget: cudaClipTarget(backend) });
    for await (const batch of loader) {
      const readsBefore = backend.stats().deviceToHostBytes;
      expect(batch.clips).toHaveLength(3 * 3 * 11 * 11 * 3);
      expect(backend.stats().deviceToHostBytes - readsBefore).toBe(batch.clips.byteLength);
      expect(bits(batch.clips)).toEqual(bits(batch.deviceClips!.dataSync() as Float32Array));
      break;
    }
    await loader.close();
  });

  it('drops a faulty clip from a device batch as from a host batch', async () => {
    const dir = tempDir();
    const broken = await makeSynthetic({ out: dir, classes: 3, videosPerClass: 4, frames: 8, size: 30, seed: 9 });
    const d = await openDataset(broken.out);
    const victim = d.videos('training')[2]!;
    // frame 0 stays readable (the dataset opens it), every later one is cut short: each clip faults
    const first = readFrameBytes(victim.videoPath, 0);
    await writeJpegVideo(victim.videoPath, Array.from({ length: victim.frameCount }, (_, i) => (i === 0 ? first : first.slice(0, 30))));
    const run = async (withTarget: boolean) => {
      const loader = createLoader(d, { ...options, clipTarget: withTarget ? cudaClipTarget(backend) : undefined });
      const out: { shape: number[]; clips: Float32Array; videos: number[] }[] = [];
      for await (const batch of loader) out.push({ shape: batch.shape, clips: batch.deviceClips ? (batch.deviceClips.dataSync() as Float32Array) : batch.clips, videos: Array.from(batch.videoIndex) });
      const warnings = loader.takeWarnings().map((w) => w.message);
      await loader.close();
      return { out, warnings, skipped: loader.stats().skippedClips };
    };
    const buffersBefore = backend.stats().buffers;
    const host = await run(false);
    const onDevice = await run(true);
    expect(host.skipped).toBeGreaterThan(0);
    expect(onDevice.skipped).toBe(host.skipped);
    expect(onDevice.warnings).toEqual(host.warnings);
    expect(onDevice.out.map((b) => [b.shape, b.videos])).toEqual(host.out.map((b) => [b.shape, b.videos]));
    onDevice.out.forEach((b, i) => expect(bits(b.clips)).toEqual(bits(host.out[i]!.clips)));
    expect(backend.stats().buffers).toBe(buffersBefore);
  });
});

describe('a training step on backend cuda (emulated device)', () => {
  const world = emulatedCudaWorld();

  /** The step events of epoch 1 (before any evaluation) of a run on backend cuda; `hostClips` decodes into host memory instead. */
  async function epochSteps(hostClips: boolean): Promise<StepEvent[]> {
    const config = world().config({ epochs: 1 });
    const setup = defaultSetup();
    if (hostClips) {
      setup.openData = async (c, hooks) => trainingDataFrom(await openDataset(c.dataset!, { onBadSample: c.onBadSample, clipLength: c.clipLength }), c, hooks, null);
    }
    // the step events' transfers count from the previous read: start both runs from a read
    stepMemoryStats();
    const handle = startEngineInProcess(config, { backend: 'cuda', autoStart: true, finalEvaluation: false }, setup);
    const events = record(handle);
    const exit = await handle.done;
    expect(exit.error).toBeNull();
    return events.filter((e): e is StepEvent => e.type === 'step' && e.epoch === 0);
  }

  it("takes its clips from the device path: each step's host-to-device bytes are the host path's less one batch of clips", async () => {
    const onDevice = await epochSteps(false);
    const onHost = await epochSteps(true);
    expect(onDevice.length).toBeGreaterThan(1);
    expect(onDevice.map((s) => s.losses)).toEqual(onHost.map((s) => s.losses));
    const config = world().config();
    const clipBytes = config.batch * config.clipLength * config.size * config.size * 3 * 4;
    onDevice.forEach((s, i) => expect(onHost[i]!.memory!.hostToDeviceBytes - s.memory!.hostToDeviceBytes).toBe(clipBytes));
  }, 120_000);
});
