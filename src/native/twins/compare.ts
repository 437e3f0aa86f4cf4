// Runs twin cases on two devices and reports each case's worst output error.
import type { DeviceMemory } from '../device-memory.js';
import { relativeError } from './buffers.js';
import type { TwinCase } from './types.js';

export interface TwinResult {
  family: string;
  name: string;
  tolerance: number;
  /** the worst relativeError over the outputs (NaN: a NaN disagreement; Infinity: shapes differ) */
  error: number;
  ok: boolean;
  /** set when the case threw on either device */
  failure?: string;
}

export async function compareTwin(c: TwinCase, gpu: DeviceMemory, reference: DeviceMemory): Promise<TwinResult> {
  const base = { family: c.family, name: c.name, tolerance: c.tolerance };
  try {
    const expected = await c.run(reference);
    const actual = await c.run(gpu);
    let error = actual.length === expected.length ? 0 : Infinity;
    for (let i = 0; i < Math.min(actual.length, expected.length); i++) {
      const e = relativeError(actual[i]!, expected[i]!);
      error = Number.isNaN(e) || e > error ? e : error;
    }
    return { ...base, error, ok: error <= c.tolerance };
  } catch (err) {
    return { ...base, error: NaN, ok: false, failure: (err as Error).message };
  }
}
