// The two devices a CUDA kernel's twin test compares: the emulated device (host memory, the CPU
// kernels) and the CUDA GPU. Where no GPU opens, the GPU comparisons are skipped with the reason in
// their title; every case still runs on the emulated device here (twice: deterministic, finite,
// non-empty outputs), so the case code is proven before it meets a GPU.
import { describe, expect, it } from 'vitest';
import { DeviceMemory } from '../src/native/device-memory.js';
import { compareTwin } from '../src/native/twins/compare.js';
import type { TwinCase } from '../src/native/twins/types.js';

function openGpu(): { gpu: DeviceMemory | null; skipReason: string } {
  try {
    return { gpu: new DeviceMemory('cuda'), skipReason: '' };
  } catch (error) {
    return { gpu: null, skipReason: `no CUDA GPU usable: ${(error as Error).message}` };
  }
}

const opened = openGpu();
export const emulated = new DeviceMemory('emulated');
export const gpu = opened.gpu;
/** '' when a GPU opened */
const skipReason = opened.skipReason;
/** a describe title that names the skip reason where no GPU is usable */
const twinTitle = (name: string) => (gpu ? `${name}: CUDA vs emulated twin` : `${name}: CUDA vs emulated twin (skipped: ${skipReason})`);

/** The twin tests of one family: GPU vs emulated where a GPU exists, the cases' own soundness everywhere. */
export function describeTwinCases(family: string, cases: readonly TwinCase[]): void {
  describe(`${family} twin cases on the emulated device`, () => {
    it('has cases', () => expect(cases.length).toBeGreaterThan(0));
    it.each(cases.map((c) => [c.name, c] as const))('%s runs, deterministically, with finite outputs', async (_, c) => {
      const first = await c.run(emulated);
      const second = await c.run(emulated);
      expect(first.length).toBeGreaterThan(0);
      expect(second.length).toBe(first.length);
      first.forEach((out, i) => {
        expect(out.length).toBeGreaterThan(0);
        expect(Buffer.from(second[i]!.buffer, second[i]!.byteOffset, second[i]!.byteLength).equals(Buffer.from(out.buffer, out.byteOffset, out.byteLength))).toBe(true);
        expect(out.every((v: number) => Number.isFinite(v))).toBe(true);
      });
    });
  });
  describe.skipIf(!gpu)(twinTitle(family), () => {
    it.each(cases.map((c) => [c.name, c] as const))('%s', async (_, c) => {
      const result = await compareTwin(c, gpu!, emulated);
      expect(result.failure).toBeUndefined();
      expect(result.error).toBeLessThanOrEqual(c.tolerance);
    });
  });
}
