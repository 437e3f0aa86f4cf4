// Engine events for the console and formatter tests.
import { resolveConfig } from '../src/config/presets.js';
import { METHOD_TERMS } from '../src/methods/terms.js';
import type { RunEvent } from '../src/train/events.js';

/** the events' time stamp */
export const T = 1_700_000_000;

export function runEvent(over: Partial<RunEvent> = {}): RunEvent {
  return {
    type: 'run',
    config: { ...resolveConfig('tiny'), epochs: 4, method: 'mnf-csc' },
    backend: 'native',
    device: 'CPU (2 threads)',
    backendReasons: ['native: oneDNN 2.6.3, 2 threads'],
    out: '/tmp/run',
    resumedFrom: null,
    classNames: ['walk', 'run', 'jump'],
    videos: { training: 12, validation: 6 },
    batchesPerEpoch: 5,
    terms: METHOD_TERMS['mnf-csc'].map((t) => ({ ...t })),
    math: { precision: 'fp32', tf32: true },
    world: { size: 1, rank: 0 },
    time: T,
    ...over,
  };
}
