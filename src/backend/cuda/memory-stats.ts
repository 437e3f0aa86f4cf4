// The memory statistics a step event carries (issue 12: `memory`), read once per step.
import { tf } from '../../tf.js';
import { CudaBackend } from './backend.js';

export interface StepMemoryStats {
  inUseBytes: number;
  cachedBytes: number;
  peakBytes: number;
  allocations: number;
  hostToDeviceBytes: number;
  deviceToHostBytes: number;
  /** host fallback kernel calls so far */
  fallbacks: number;
}

/** The current backend's device statistics when it is 'cuda', else undefined (host backends have none). */
export function stepMemoryStats(): StepMemoryStats | undefined {
  const backend = tf.backend();
  if (!(backend instanceof CudaBackend)) return undefined;
  const { inUseBytes, cachedBytes, peakBytes, allocations, hostToDeviceBytes, deviceToHostBytes, fallbacks } = backend.stats();
  return { inUseBytes, cachedBytes, peakBytes, allocations, hostToDeviceBytes, deviceToHostBytes, fallbacks };
}
