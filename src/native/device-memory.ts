// Typed wrapper over the addon's device buffers (native/device/): a device behind a caching allocator
// (size classes, freed blocks reused), buffers named by integer ids. The only caller of those functions.
import { loadAddon } from './addon.js';

/** An opened device (an addon External); it closes when collected. */
export type DeviceHandle = { readonly __mnfDevice: unique symbol };

export type HostArray = Float32Array | Int32Array | Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Float64Array;

export type DeviceKind = 'emulated' | 'cuda';

export interface DeviceMemoryStats {
  /** bytes of blocks in use (size classes: 512-byte multiples below 1 MiB, 2 MiB multiples above) */
  inUseBytes: number;
  /** bytes of freed blocks the allocator keeps for reuse */
  cachedBytes: number;
  /** the most inUseBytes has been */
  peakBytes: number;
  /** fresh device allocations (reuses of cached blocks are not counted) */
  allocations: number;
  hostToDeviceBytes: number;
  deviceToHostBytes: number;
  /** live buffers */
  buffers: number;
}

export class DeviceMemory {
  /** the addon's device object: device ops (src/native/device-ops-*.ts) take it */
  readonly handle: DeviceHandle;
  /** e.g. "emulated (host memory)" */
  readonly name: string;

  /** Throws with the reason when the device of that kind cannot be opened. */
  constructor(readonly kind: DeviceKind) {
    const addon = loadAddon();
    this.handle = addon.deviceOpen(kind);
    this.name = addon.deviceName(this.handle);
  }

  /** A new buffer of `bytes` bytes (contents undefined); returns its id. */
  alloc(bytes: number): number {
    return loadAddon().deviceAlloc(this.handle, bytes);
  }

  free(id: number): void {
    loadAddon().deviceFree(this.handle, id);
  }

  /** host → device; the array must hold exactly the buffer's bytes */
  write(id: number, values: HostArray): void {
    loadAddon().deviceWrite(this.handle, id, values);
  }

  /** device → host on this thread, into `into` (exactly the buffer's bytes) */
  readSync<T extends HostArray>(id: number, into: T): T {
    loadAddon().deviceReadSync(this.handle, id, into);
    return into;
  }

  /** device → host off the JS thread */
  read<T extends HostArray>(id: number, into: T): Promise<T> {
    return loadAddon().deviceRead(this.handle, id, into);
  }

  /** device → device: the first `bytes` bytes of src into dst */
  copy(dst: number, src: number, bytes: number): void {
    loadAddon().deviceCopy(this.handle, dst, src, bytes);
  }

  stats(): DeviceMemoryStats {
    return loadAddon().deviceStats(this.handle);
  }

  /** Returns the allocator's cached (free) blocks to the device. */
  emptyCache(): void {
    loadAddon().deviceEmptyCache(this.handle);
  }
}
