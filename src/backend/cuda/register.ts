// Registers backend 'cuda' on a device: MNF_CUDA_DEVICE=emulated (or { device: 'emulated' }) opens the
// emulated device (host memory); otherwise the CUDA device, which throws the reason it cannot open.
import { tf } from '../../tf.js';
import { DeviceMemory, type DeviceKind } from '../../native/device-memory.js';
import { registerNativeBackend } from '../native/backend.js';
import { CudaBackend } from './backend.js';
import type { CudaMathMode } from './math-mode.js';
import { registerHostFallbacks } from './fallback.js';
import { deviceKernels } from './kernels.js';

export const CUDA_BACKEND = 'cuda';

export interface CudaBackendOptions {
  /** the device behind the backend; default MNF_CUDA_DEVICE, else 'cuda' */
  device?: DeviceKind;
  /** called once per kernel name, the first time that kernel runs as a host fallback */
  onFallback?: (kernelName: string) => void;
  /** how convolutions and matrix products compute; default DEFAULT_MATH_MODE (a kept backend keeps its mode unless given) */
  math?: CudaMathMode;
}

const DEVICE_KINDS: readonly DeviceKind[] = ['emulated', 'cuda'];

/** The device kind asked for: the option, else MNF_CUDA_DEVICE, else 'cuda'. */
export function cudaDeviceKind(options: CudaBackendOptions = {}, env: NodeJS.ProcessEnv = process.env): DeviceKind {
  if (options.device !== undefined) return options.device;
  const fromEnv = env.MNF_CUDA_DEVICE;
  if (fromEnv === undefined || fromEnv === '') return 'cuda';
  if (!(DEVICE_KINDS as readonly string[]).includes(fromEnv)) {
    throw new Error(`MNF_CUDA_DEVICE: expected one of ${DEVICE_KINDS.join(', ')}, got '${fromEnv}'`);
  }
  return fromEnv as DeviceKind;
}

let current: { kind: DeviceKind; backend: CudaBackend } | undefined;
let deviceKernelsRegistered = false;

/**
 * Registers backend 'cuda' (and 'native', whose kernels its fallbacks run) and returns its instance.
 * Throws with the reason when the device cannot be opened. A second call with the same device kind
 * keeps the backend and only adds fallbacks for native kernels registered since; another kind
 * replaces the backend (its tensors are lost).
 */
export function registerCudaBackend(options: CudaBackendOptions = {}): CudaBackend {
  const kind = cudaDeviceKind(options);
  registerNativeBackend();
  if (!deviceKernelsRegistered) {
    for (const kernel of deviceKernels(CUDA_BACKEND)) tf.registerKernel(kernel);
    deviceKernelsRegistered = true;
  }
  registerHostFallbacks(CUDA_BACKEND);
  if (current?.kind === kind && tf.findBackend(CUDA_BACKEND) === current.backend) {
    if (options.onFallback) current.backend.onFallback = options.onFallback;
    if (options.math) current.backend.math = { ...options.math };
    return current.backend;
  }

  const backend = new CudaBackend(new DeviceMemory(kind), options.onFallback);
  if (options.math) backend.math = { ...options.math };
  if (tf.findBackendFactory(CUDA_BACKEND)) tf.removeBackend(CUDA_BACKEND);
  // priority 0: never tfjs's default; only initBackend('cuda') makes it current
  tf.registerBackend(CUDA_BACKEND, () => backend, 0);
  current = { kind, backend };
  return backend;
}

/** The registered cuda backend, if any. */
export function cudaBackend(): CudaBackend | undefined {
  return current?.backend;
}
