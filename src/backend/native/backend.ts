// Backend 'native': tfjs's CPU backend (tensors are JS typed arrays) with its heavy kernels
// replaced by the addon's oneDNN / threaded C++ implementations.
import * as cpu from '@tensorflow/tfjs-backend-cpu';
import { tf } from '../../tf.js';
import { loadAddon } from '../../native/addon.js';
import { nativeKernels } from './kernels/index.js';

export const NATIVE_BACKEND = 'native';

export class NativeBackend extends cpu.MathBackendCPU {
  constructor() {
    super();
    // MathBackendCPU prints advice to install tfjs-node on its first write; here it would be wrong.
    (this as unknown as { firstUse: boolean }).firstUse = false;
  }
}

let registered = false;

/** Registers backend 'native' (throws NativeAddonMissingError when the addon cannot load). */
export function registerNativeBackend(): void {
  if (registered) return;
  loadAddon();
  tf.registerBackend(NATIVE_BACKEND, () => new NativeBackend(), 1);
  const replaced = new Set(nativeKernels.map((k) => k.kernelName));
  for (const kernel of tf.getKernelsForBackend('cpu')) {
    if (!replaced.has(kernel.kernelName)) tf.registerKernel({ ...kernel, backendName: NATIVE_BACKEND });
  }
  for (const kernel of nativeKernels) tf.registerKernel({ ...kernel, backendName: NATIVE_BACKEND });
  registered = true;
}
