// Registers the project's kernels for tfjs's cpu backend (src/backend/cpu/kernels/). Until it runs,
// the ops on 'cpu' compute their composed twins (equal within float32 rounding, slower).
import { cscProblem } from '../../native/csc.js';
import { tf } from '../../tf.js';
import { cpuKernels, cscLossConfig } from './kernels/index.js';

const CPU_BACKEND = 'cpu';

/** Idempotent. The CSC kernel is registered when the addon loads with it (else CSC stays composed on cpu). */
export function registerCpuKernels(): void {
  const kernels = cscProblem() === undefined ? [...cpuKernels, cscLossConfig] : cpuKernels;
  for (const kernel of kernels) {
    if (!tf.getKernel(kernel.kernelName, CPU_BACKEND)) tf.registerKernel({ ...kernel, backendName: CPU_BACKEND });
  }
}
