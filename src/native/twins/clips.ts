// Twin cases of the clip data path (deviceDecodeClips): batches of clips decoded into a device buffer,
// on the CUDA GPU by its staged transform kernel, on the emulated device by the CPU transform. The
// CUDA kernel reproduces the CPU's operation order, so the outputs should be equal; the tolerance
// (a few float32 ulps of values near 2) only separates rounding from a wrong pixel (~0.02).
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeviceMemory } from '../device-memory.js';
import { writeVideo } from '../decode.js';
import { deviceClipsBytes, deviceDecodeClips, type DeviceClipsRequest } from '../device-clips.js';
import { download } from './buffers.js';
import type { TwinCase } from './types.js';

/** A test video the cases decode: `frames` frames of width × height. */
export interface TwinVideo {
  name: string;
  frames: number;
  width: number;
  height: number;
}

/** One even-sized, one odd-sized video (JPEG-coded, so the decode's MCU cropping is exercised). */
export const TWIN_VIDEOS: readonly TwinVideo[] = [
  { name: 'clips-160x120.hdf5', frames: 6, width: 160, height: 120 },
  { name: 'clips-45x37.hdf5', frames: 4, width: 45, height: 37 },
];

/**
 * Deterministic RGB frames: two gradients and a soft blob that moves from frame to frame, so crops,
 * flips and resizes all show. Smooth on purpose: JPEG's subsampled chroma then decodes the same
 * whether a region or the whole frame is decoded, so a full-frame reference can check the transform.
 */
export function twinFrames(video: TwinVideo): Uint8Array {
  const { frames, width, height } = video;
  const rgb = new Uint8Array(frames * height * width * 3);
  for (let f = 0; f < frames; f++) {
    const cx = width * (0.25 + 0.1 * f);
    const cy = height / 2;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const at = ((f * height + y) * width + x) * 3;
        const blob = Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * (width / 6) ** 2));
        rgb[at] = (x * 255) / (width - 1);
        rgb[at + 1] = (y * 255) / (height - 1);
        rgb[at + 2] = 30 + 200 * blob;
      }
    }
  }
  return rgb;
}

/** Writes the twin videos into `dir` (created if needed, once); returns their paths in TWIN_VIDEOS order. */
export async function ensureTwinVideos(dir: string): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const paths = TWIN_VIDEOS.map((v) => join(dir, v.name));
  for (const [i, video] of TWIN_VIDEOS.entries()) {
    if (!existsSync(paths[i]!)) await writeVideo(paths[i]!, twinFrames(video), [video.frames, video.height, video.width], 90);
  }
  return paths;
}

/** A batch of the twin videos: clip b reads video `videos[b]`, frames `frames[b]`, box `boxes[b]`. */
export interface ClipTwinBatch {
  name: string;
  videos: number[];
  frames: number[][];
  boxes: [number, number, number, number][];
  flips: boolean[];
  size: number;
}

/** Flips, fractional crops, odd output sizes, up- and downscaling, and a clip that fails (frame 9 of a 4-frame video). */
export const CLIP_TWIN_BATCHES: readonly ClipTwinBatch[] = [
  { name: 'B=2 T=3 S=16: crops, one flipped', videos: [0, 0], frames: [[0, 1, 2], [3, 4, 5]], boxes: [[17, 9, 100, 80], [40.5, 30.25, 64, 64]], flips: [true, false], size: 16 },
  { name: 'B=3 T=2 S=15: odd sizes, fractional boxes, an upscale', videos: [1, 0, 1], frames: [[0, 3], [5, 2], [1, 1]], boxes: [[0, 0, 45, 37], [3.4, 7.6, 151.2, 99.9], [11.5, 4.5, 9, 7]], flips: [false, true, true], size: 15 },
  { name: 'B=1 T=4 S=112: whole frames, flipped', videos: [0], frames: [[0, 1, 2, 3]], boxes: [[0, 0, 160, 120]], flips: [true], size: 112 },
  { name: 'B=2 T=2 S=8: one clip faulty (frame beyond the video)', videos: [1, 0], frames: [[0, 9], [1, 2]], boxes: [[5, 5, 30, 20], [20, 10, 90, 90]], flips: [false, true], size: 8 },
];

/** The request of a batch over the twin videos at `paths`. */
export function clipTwinRequest(batch: ClipTwinBatch, paths: readonly string[]): DeviceClipsRequest {
  return {
    paths: batch.videos.map((v) => paths[v]!),
    frames: Int32Array.from(batch.frames.flat()),
    boxes: Float32Array.from(batch.boxes.flat()),
    flips: Uint8Array.from(batch.flips.map((f) => (f ? 1 : 0))),
    size: batch.size,
  };
}

/** Decodes `request` into a fresh buffer of `device`: the clips and, per clip, 1 where it faulted. */
export async function decodeOnDevice(device: DeviceMemory, request: DeviceClipsRequest): Promise<[Float32Array, Uint8Array]> {
  const bytes = deviceClipsBytes(request);
  const buffer = device.alloc(bytes);
  try {
    const faults = await deviceDecodeClips(device, buffer, request);
    return [download(device, buffer, new Float32Array(bytes / 4)), Uint8Array.from(faults.map((f) => (f === null ? 0 : 1)))];
  } finally {
    device.free(buffer);
  }
}

/** The clip family's cases; their videos are written into `dir` on first use (default: a folder in the OS temp folder). */
export function clipTwinCases(dir = join(tmpdir(), 'mnf-clip-twin-videos')): TwinCase[] {
  return CLIP_TWIN_BATCHES.map((batch) => ({
    family: 'clip',
    name: `deviceDecodeClips ${batch.name}`,
    tolerance: 1e-6,
    run: async (device: DeviceMemory) => decodeOnDevice(device, clipTwinRequest(batch, await ensureTwinVideos(dir))),
  }));
}
