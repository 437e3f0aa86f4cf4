// Typed wrapper over the addon's clip data path (native/device/register_clips.cc): a batch's clips
// decoded on the addon's decode threads and transformed (crop, resize, flip, normalise) straight into
// a buffer of a device — by the CUDA kernel on the CUDA device, by the CPU path on the emulated one.
import { loadAddon } from './addon.js';
import type { DeviceMemory } from './device-memory.js';

/** decodeClips' request (decode.ts) without the host output and device choice. */
export interface DeviceClipsRequest {
  /** one .hdf5 per clip (B) */
  paths: string[];
  /** (B*T) frame indices */
  frames: Int32Array;
  /** (B*4) crop boxes in source pixels: x, y, width, height */
  boxes: Float32Array;
  /** (B) 1 = mirror left-right */
  flips: Uint8Array;
  /** output side S */
  size: number;
  mean?: Float32Array;
  std?: Float32Array;
}

/** Bytes of the (B, T, S, S, 3) float32 buffer a request decodes into. */
export function deviceClipsBytes(request: Pick<DeviceClipsRequest, 'frames' | 'size'>): number {
  return request.frames.length * request.size * request.size * 3 * Float32Array.BYTES_PER_ELEMENT;
}

/**
 * Decodes B clips into `clips`, a buffer of `device` of exactly deviceClipsBytes(request) bytes (a
 * RangeError otherwise); resolves with one fault line (or null) per clip, whose slice is zeroed —
 * the faults decodeClips reports. On the CUDA device it resolves once the transform is queued (ops
 * launched later see the clips), on the emulated device once it is done. `clips` must stay allocated
 * until the promise settles.
 */
export function deviceDecodeClips(device: DeviceMemory, clips: number, request: DeviceClipsRequest): Promise<(string | null)[]> {
  return loadAddon().deviceDecodeClips(device.handle, clips, request);
}
