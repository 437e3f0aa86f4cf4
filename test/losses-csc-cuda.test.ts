// The CUDA CSC against its CPU twin (same addon, same inputs), random inputs and the PyTorch
// fixtures' all-zero rows. Needs a CUDA device; skipped with the reason otherwise.
import { describe, expect, it } from 'vitest';
import { cscLossGrad } from '../src/native/csc.js';
import { deviceInfo } from '../src/native/device.js';
import { cscCases, gradientError } from './csc-fixtures.js';
import { compareCscTwin, CSC_TWIN_CASES, cscTwinInputs, maxRelativeError } from '../src/native/twin-check.js';

const zeroRowCases = cscCases().filter((c) => Object.keys(c.zero_rows).length > 0);

const info = deviceInfo();
const gpu = info.devices.length > 0;
if (!gpu) console.warn(`losses-csc-cuda: CUDA CSC tests skipped: ${info.cudaReason || 'no CUDA device'}`);

describe('CUDA CSC equals the CPU twin', () => {
  for (const [batch, dim, classes, theta, calibrated] of CSC_TWIN_CASES) {
    it.skipIf(!gpu)(`B=${batch} D=${dim} classes=${classes} θ=${theta}${calibrated ? '' : ' uncalibrated'}`, () => {
      const r = compareCscTwin(batch, dim, classes, theta, calibrated);
      expect(r.devices).toEqual(['cpu', 'cuda']);
      expect(r.loss).toBeLessThan(1e-4);
      expect(r.dv).toBeLessThan(1e-4);
      expect(r.dz).toBeLessThan(1e-4);
    });
  }

  it('the fixtures provide cases with all-zero rows', () => expect(zeroRowCases.map((c) => c.name)).toContain('zero_teacher'));

  for (const c of zeroRowCases) {
    it.skipIf(!gpu)(`all-zero rows (${c.name}: ${JSON.stringify(c.zero_rows)}): finite and equal`, () => {
      const args = {
        v: Float32Array.from(c.v),
        z: Float32Array.from(c.z),
        aSel: Float32Array.from(c.a_sel),
        labels: Int32Array.from(c.labels),
        batch: c.batch,
        dim: c.dim,
        theta: c.theta,
        calibrated: c.calibrated,
      };
      const cpu = cscLossGrad(args, 'cpu');
      const cuda = cscLossGrad(args, 'cuda');
      expect(cuda.device).toBe('cuda');
      expect([cuda.loss, ...cuda.dv, ...cuda.dz].every(Number.isFinite)).toBe(true);
      expect(maxRelativeError([cuda.loss], [cpu.loss])).toBeLessThan(1e-4);
      expect(gradientError(cuda.dv, cpu.dv, c.dim, c.zero_rows.v)).toBeLessThan(1e-4);
      expect(gradientError(cuda.dz, cpu.dz, c.dim, c.zero_rows.z)).toBeLessThan(1e-4);
    });
  }

  it('the comparison itself: the CPU path against itself differs by nothing', () => {
    const r = compareCscTwin(37, 19, 4, 0.2, true, 'cpu');
    expect([r.loss, r.dv, r.dz]).toEqual([0, 0, 0]);
  });

  it.skipIf(gpu)("device 'cuda' without a usable device fails with the reason", () => {
    expect(() => cscLossGrad(cscTwinInputs(4, 3, 2, 0.07, true), 'cuda')).toThrow(/device 'cuda' requested but no CUDA device is usable: .+/);
  });

  it("device 'auto' runs where a device is usable", () => {
    expect(cscLossGrad(cscTwinInputs(4, 3, 2, 0.07, true), 'auto').device).toBe(gpu ? 'cuda' : 'cpu');
  });
});
