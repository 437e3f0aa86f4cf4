import { loadAddon } from './addon.js';

export interface CudaDevice {
  index: number;
  name: string;
  /** bytes */
  totalMemory: number;
  computeCapability: string;
}

export interface DeviceInfo {
  cudaBuilt: boolean;
  devices: CudaDevice[];
  /** why no CUDA device is usable; empty when one is */
  cudaReason: string;
  dnnlVersion: string;
  threads: number;
  cores: number;
}

export function deviceInfo(): DeviceInfo {
  return loadAddon().deviceInfo();
}

/** Threads for oneDNN and the addon's parallel loops. */
export function setThreads(n: number): void {
  loadAddon().setThreads(n);
}
