// A CUDA kernel's twin case: one device op on fresh inputs, run on the CUDA GPU and on the emulated
// device (the CPU kernels), whose outputs must agree within `tolerance`. The same cases drive the
// tests (test/cuda-twins-*.test.ts) and scripts/gpu-check.mjs on a GPU machine.
import type { DeviceMemory, HostArray } from '../device-memory.js';

export interface TwinCase {
  /** the op family: 'elementwise', 'reduce', 'layout', 'fused', 'conv', 'matmul', 'clip' */
  family: string;
  /** the op and its shapes, e.g. 'Add [2,3] + [3]' */
  name: string;
  /** the largest relativeError(gpu, emulated) accepted, per output */
  tolerance: number;
  /** Builds the inputs on `device` (deterministically), runs the op, returns every output's values
   *  (read back to the host) and frees its buffers. */
  run(device: DeviceMemory): HostArray[] | Promise<HostArray[]>;
}
