// The memory statistics a step event carries (issue 12: `memory`), read once per step. Sizes are
// the device's state now; transfers and fallbacks count what happened since the previous read.
import type { StepMemory } from '../../train/events.js';
import { tf } from '../../tf.js';
import { CudaBackend } from './backend.js';

/** the step event's `memory` field (src/train/events.ts) */
export type StepMemoryStats = StepMemory;

const previous = new WeakMap<CudaBackend, { h2d: number; d2h: number; fallbacks: number }>();

/** The current backend's device statistics when it is 'cuda', else undefined (host backends have none). */
export function stepMemoryStats(): StepMemoryStats | undefined {
  const backend = tf.backend();
  if (!(backend instanceof CudaBackend)) return undefined;
  const { inUseBytes, cachedBytes, peakBytes, allocations, hostToDeviceBytes, deviceToHostBytes, fallbacks } = backend.stats();
  const last = previous.get(backend) ?? { h2d: 0, d2h: 0, fallbacks: 0 };
  previous.set(backend, { h2d: hostToDeviceBytes, d2h: deviceToHostBytes, fallbacks });
  return {
    inUseBytes,
    cachedBytes,
    peakBytes,
    allocations,
    hostToDeviceBytes: hostToDeviceBytes - last.h2d,
    deviceToHostBytes: deviceToHostBytes - last.d2h,
    fallbacks: fallbacks - last.fallbacks,
  };
}
