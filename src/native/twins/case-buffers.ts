// The buffers one run of a twin case uploads and allocates, all freed when the run returns (or throws).
import type { DeviceMemory, HostArray } from '../device-memory.js';
import { allocate, download, upload } from './buffers.js';

export class CaseBuffers {
  private readonly ids: number[] = [];
  constructor(readonly device: DeviceMemory) {}

  /** A buffer holding `values`. */
  upload(values: HostArray): number {
    const id = upload(this.device, values);
    this.ids.push(id);
    return id;
  }

  /** A buffer of `count` elements of `bytesPerElement` (contents undefined). */
  allocate(count: number, bytesPerElement = 4): number {
    const id = allocate(this.device, count, bytesPerElement);
    this.ids.push(id);
    return id;
  }

  /** The buffer's values, as an array of `like`'s type and length. */
  read<T extends HostArray>(id: number, like: T): T {
    return download(this.device, id, like);
  }

  release(): void {
    for (const id of this.ids.splice(0)) this.device.free(id);
  }
}

export function withCaseBuffers(device: DeviceMemory, body: (buffers: CaseBuffers) => HostArray[]): HostArray[] {
  const buffers = new CaseBuffers(device);
  try {
    return body(buffers);
  } finally {
    buffers.release();
  }
}
