// Backend selection: auto prefers tensorflow (tfjs-node-gpu / tfjs-node, when installed and
// loadable), then native (the addon), then tfjs's pure-JS cpu backend, and says why.
import { cpus } from 'node:os';
import { tf } from '../tf.js';
import { addonProblem } from '../native/addon.js';
import { deviceInfo, setThreads } from '../native/device.js';
import { registerNativeBackend } from './native/backend.js';

import { BACKEND_NAMES, type BackendName } from './names.js';

export { BACKEND_NAMES, type BackendName };

export interface BackendInfo {
  /** the tfjs backend now current */
  name: string;
  /** true when CUDA devices are usable by this backend */
  cuda: boolean;
  /** CUDA device names, empty on CPU */
  devices: string[];
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

/**
 * Makes the named backend current for the package's tfjs-core instance.
 * Throws with one clear line when an explicitly named backend is not available.
 */
export async function initBackend(name: BackendName = 'auto'): Promise<BackendInfo> {
  if (!BACKEND_NAMES.includes(name)) {
    throw new Error(`--backend: expected one of ${BACKEND_NAMES.join(', ')}, got '${name}'`);
  }
  const reasons: string[] = [];
  const threads = defaultThreads();
  const cpuInfo = (backend: string): BackendInfo => ({ name: backend, cuda: false, devices: [], threads, reasons });

  if (name === 'auto' || name === 'tensorflow') {
    const problem = await tryTensorflow();
    if (problem === undefined) {
      await activate('tensorflow');
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
  return { ...cpuInfo('cpu'), threads: 1 };
}
