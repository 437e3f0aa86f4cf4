// Backend selection: auto prefers cuda (only where a CUDA GPU is usable and the CUDA device opens),
// then tensorflow (tfjs-node-gpu / tfjs-node, when installed and loadable), then native (the addon),
// then tfjs's pure-JS cpu backend, and says why.
import { cpus } from 'node:os';
import { tf } from '../tf.js';
import { addonProblem } from '../native/addon.js';
import { deviceInfo, setThreads } from '../native/device.js';
import type { DeviceKind } from '../native/device-memory.js';
import { registerCpuKernels } from './cpu/register.js';
import { cscLossConfig } from './kernels/MnfCscLoss.js';
import { registerNativeBackend } from './native/backend.js';
import type { CudaMathMode } from './cuda/math-mode.js';
import { CUDA_BACKEND, cudaDeviceKind, registerCudaBackend } from './cuda/register.js';

import { BACKEND_NAMES, type BackendName } from './names.js';

export { BACKEND_NAMES, type BackendName };

export interface BackendInfo {
  /** the tfjs backend now current */
  name: string;
  /** true when CUDA devices are usable by this backend */
  cuda: boolean;
  /** CUDA device names, empty on CPU */
  devices: string[];
  /** what the backend computes on, e.g. "CPU (8 threads)" or "emulated (host memory)" */
  device: string;
  /** CPU threads used by the native kernels */
  threads: number;
  /** one line per candidate: why it was chosen or skipped */
  reasons: string[];
}

/** Threads for native kernels: MNF_THREADS, else every core. */
export function defaultThreads(): number {
  const fromEnv = Number(process.env.MNF_THREADS);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : cpus().length;
}

async function tryTensorflow(): Promise<string | undefined> {
  const problems: string[] = [];
  for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    try {
      await import(pkg);
      if (tf.findBackend('tensorflow')) return undefined;
      problems.push(`${pkg} loaded but did not register 'tensorflow' with this tfjs-core`);
    } catch (err) {
      const first = (err as Error).message.split('\n')[0];
      problems.push(`${pkg}: ${/Cannot find (module|package)/.test(first) ? 'not installed' : first}`);
    }
  }
  return problems.join('; ');
}

async function activate(name: string): Promise<void> {
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`backend '${name}' failed to initialise`);
  await tf.ready();
}

export interface InitBackendOptions {
  /** backend cuda's device; default MNF_CUDA_DEVICE, else the CUDA GPU ('auto' only ever tries the GPU) */
  device?: DeviceKind;
  /** how backend cuda's convolutions and matrix products compute (default fp32, TF32 on); bf16 needs backend cuda */
  math?: CudaMathMode;
}

function cpuDevice(threads: number): string {
  return `CPU (${threads} thread${threads === 1 ? '' : 's'})`;
}

/** Registers and activates backend cuda on `kind`, or returns why it cannot run. */
async function tryCuda(kind: DeviceKind, math: CudaMathMode | undefined): Promise<{ device: string } | { problem: string }> {
  let backend;
  try {
    backend = registerCudaBackend({ device: kind, math });
  } catch (err) {
    return { problem: (err as Error).message.split('\n')[0]! };
  }
  await activate(CUDA_BACKEND);
  return { device: backend.deviceName };
}

/**
 * Makes the named backend current for the package's tfjs-core instance.
 * Throws with one clear line when an explicitly named backend is not available.
 */
export async function initBackend(name: BackendName = 'auto', options: InitBackendOptions = {}): Promise<BackendInfo> {
  if (!BACKEND_NAMES.includes(name)) {
    throw new Error(`--backend: expected one of ${BACKEND_NAMES.join(', ')}, got '${name}'`);
  }
  if (options.math?.precision === 'bf16' && name !== 'cuda') {
    throw new Error(`--precision bf16: needs --backend cuda (got --backend ${name})`);
  }
  registerCpuKernels();
  const reasons: string[] = [];
  const threads = defaultThreads();
  const cpuInfo = (backend: string): BackendInfo => ({ name: backend, cuda: false, devices: [], device: cpuDevice(threads), threads, reasons });

  if (name === 'cuda') {
    const problem = addonProblem();
    if (problem !== undefined) throw new Error(`backend 'cuda' is not available: ${problem}`);
    const kind = cudaDeviceKind(options);
    const opened = await tryCuda(kind, options.math);
    if ('problem' in opened) throw new Error(`backend 'cuda' is not available: ${opened.problem}`);
    setThreads(threads);
    reasons.push(`cuda: ${opened.device}`);
    const gpus = kind === 'cuda' ? deviceInfo().devices.map((d) => d.name) : [];
    return { name: CUDA_BACKEND, cuda: kind === 'cuda', devices: gpus, device: opened.device, threads, reasons };
  }
  if (name === 'auto') {
    // cuda only on a usable GPU, never on the emulated device (without a GPU, native's line says why)
    const problem = addonProblem();
    const gpus = problem === undefined ? deviceInfo().devices : [];
    if (gpus.length > 0) {
      const opened = await tryCuda('cuda', options.math);
      if ('device' in opened) {
        setThreads(threads);
        reasons.push(`cuda: ${opened.device}`);
        return { name: CUDA_BACKEND, cuda: true, devices: gpus.map((d) => d.name), device: opened.device, threads, reasons };
      }
      reasons.push(`cuda skipped: ${opened.problem}`);
    }
  }

  if (name === 'auto' || name === 'tensorflow') {
    const problem = await tryTensorflow();
    if (problem === undefined) {
      await activate('tensorflow');
      // the fused CSC runs in the addon on any host-memory backend
      if (addonProblem() === undefined) tf.registerKernel({ ...cscLossConfig, backendName: 'tensorflow' });
      reasons.push('tensorflow: libtensorflow loaded');
      return cpuInfo('tensorflow');
    }
    if (name === 'tensorflow') throw new Error(`backend 'tensorflow' is not available: ${problem}`);
    reasons.push(`tensorflow skipped: ${problem}`);
  }
  if (name === 'auto' || name === 'native') {
    const problem = addonProblem();
    if (problem === undefined) {
      registerNativeBackend();
      setThreads(threads);
      await activate('native');
      const info = deviceInfo();
      reasons.push(`native: oneDNN ${info.dnnlVersion}, ${threads} threads`);
      reasons.push(
        info.devices.length > 0
          ? `CUDA devices: ${info.devices.map((d) => d.name).join(', ')}`
          : `no CUDA device (${info.cudaReason}); running on the CPU`,
      );
      return { ...cpuInfo('native'), devices: info.devices.map((d) => d.name), cuda: info.devices.length > 0 };
    }
    if (name === 'native') throw new Error(`backend 'native' is not available: ${problem}`);
    reasons.push(`native skipped: ${problem}`);
  }
  await activate('cpu');
  reasons.push('cpu: tfjs pure-JS kernels (slow for convolutions)');
  return { ...cpuInfo('cpu'), device: cpuDevice(1), threads: 1 };
}
