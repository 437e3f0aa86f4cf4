// The CUDA CSC against its CPU twin (same addon, same inputs). Needs a CUDA device; skipped with the
// reason otherwise.
import { describe, expect, it } from 'vitest';
import { cscLossGrad, type CscArrays } from '../src/native/csc.js';
import { deviceInfo } from '../src/native/device.js';

const info = deviceInfo();
const gpu = info.devices.length > 0;
if (!gpu) console.warn(`losses-csc-cuda: CUDA CSC tests skipped: ${info.cudaReason || 'no CUDA device'}`);

/** Deterministic inputs: xorshift32, v and ã non-negative (post-ReLU-like), z signed. */
function inputs(batch: number, dim: number, classes: number, theta: number, calibrated: boolean): CscArrays {
  let state = (batch * 7919 + dim * 104729 + classes) >>> 0 || 1;
  const next = () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 4294967296;
  };
  const fill = (signed: boolean) => Float32Array.from({ length: batch * dim }, () => (signed ? next() * 2 - 1 : next()));
  const labels = Int32Array.from({ length: batch }, (_, i) => (classes >= batch ? i : Math.floor(next() * classes)));
  return { v: fill(false), z: fill(true), aSel: fill(false), labels, batch, dim, theta, calibrated };
}

function relativeError(actual: Float32Array, expected: Float32Array): number {
  let diff = 0;
  let scale = 0;
  for (let k = 0; k < expected.length; k++) {
    diff = Math.max(diff, Math.abs(actual[k]! - expected[k]!));
    scale = Math.max(scale, Math.abs(expected[k]!));
  }
  return diff / scale;
}

describe('CUDA CSC equals the CPU twin', () => {
  const cases: [number, number, number, number, boolean][] = [
    [1, 1, 1, 0.07, true],
    [5, 3, 5, 0.07, true],
    [37, 19, 4, 0.2, true],
    [130, 257, 1, 0.07, true],
    [300, 64, 300, 0.1, false],
    [1024, 512, 51, 0.07, true],
    [4096, 512, 51, 0.07, true],
    [257, 2048, 20, 0.2, true],
  ];
  for (const [batch, dim, classes, theta, calibrated] of cases) {
    it.skipIf(!gpu)(`B=${batch} D=${dim} classes=${classes} θ=${theta}${calibrated ? '' : ' uncalibrated'}`, () => {
      const args = inputs(batch, dim, classes, theta, calibrated);
      const cpu = cscLossGrad(args, 'cpu');
      const cuda = cscLossGrad(args, 'cuda');
      expect(cpu.device).toBe('cpu');
      expect(cuda.device).toBe('cuda');
      expect(Number.isFinite(cuda.loss)).toBe(true);
      expect(Math.abs(cuda.loss - cpu.loss) / Math.abs(cpu.loss)).toBeLessThan(1e-4);
      expect(relativeError(cuda.dv, cpu.dv)).toBeLessThan(1e-4);
      expect(relativeError(cuda.dz, cpu.dz)).toBeLessThan(1e-4);
    });
  }

  it.skipIf(gpu)("device 'cuda' without a usable device fails with the reason", () => {
    expect(() => cscLossGrad(inputs(4, 3, 2, 0.07, true), 'cuda')).toThrow(/device 'cuda' requested but no CUDA device is usable: .+/);
  });

  it("device 'auto' runs where a device is usable", () => {
    expect(cscLossGrad(inputs(4, 3, 2, 0.07, true), 'auto').device).toBe(gpu ? 'cuda' : 'cpu');
  });
});
