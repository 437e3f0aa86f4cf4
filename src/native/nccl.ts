// NCCL collectives on the CUDA device's buffers (native/distributed/register_nccl.cc). The addon
// loads libnccl.so.2 with dlopen on first use: the file MNF_NCCL_LIB names, else the one the
// CUDA-library search finds (MNF_CUDA_LIBS, LD_LIBRARY_PATH, the toolkit's folders, Python
// site-packages/nvidia/*/lib). One communicator per process, on the device ncclInit was given.
// Collectives are enqueued on that device's compute stream and return at once; every rank must
// issue the same ones in the same order. Buffers are buffer ids of that device (DeviceMemory).
import { addonProblem, loadAddon } from './addon.js';
import type { DeviceMemory } from './device-memory.js';

/** NCCL_UNIQUE_ID_BYTES */
export const NCCL_UNIQUE_ID_BYTES = 128;

export interface NcclInitResult {
  /** "major.minor.patch" of the libnccl loaded */
  version: string;
  /** the libnccl file loaded */
  library: string;
}

/** Why NCCL cannot be used in this process (no addon, a build without CUDA, no libnccl, no GPU), or undefined. */
export function ncclProblem(): string | undefined {
  return addonProblem() ?? loadAddon().ncclProblem();
}

/** A new ncclUniqueId (rank 0 makes it; every rank passes the same bytes to ncclInit). */
export function ncclUniqueId(): Uint8Array {
  return loadAddon().ncclUniqueId();
}

/** The communicator of `rank` in a world of `size` on `device` (a CUDA device); resolves once every rank joined. */
export function ncclInit(device: DeviceMemory, id: Uint8Array, rank: number, size: number): Promise<NcclInitResult> {
  return loadAddon().ncclInit(device.handle, id, rank, size);
}

/** The float32 sum over ranks of `buffer` (exactly `elements` float32), in place. */
export function ncclAllreduceSumDevice(device: DeviceMemory, buffer: number, elements: number): void {
  loadAddon().ncclAllreduceSumDevice(device.handle, buffer, elements);
}

/** Every rank's `bytes` of `src`, in rank order, into `dst` (exactly bytes × world size). */
export function ncclAllgatherDevice(device: DeviceMemory, src: number, dst: number, bytes: number): void {
  loadAddon().ncclAllgatherDevice(device.handle, src, dst, bytes);
}

/** `root`'s bytes of `buffer` (exactly `bytes`) into every rank's, in place. */
export function ncclBroadcastDevice(device: DeviceMemory, buffer: number, bytes: number, root: number): void {
  loadAddon().ncclBroadcastDevice(device.handle, buffer, bytes, root);
}

/** Waits for the device's queued work, then frees the communicator (nothing to do without one). */
export function ncclFinalize(): void {
  loadAddon().ncclFinalize();
}
