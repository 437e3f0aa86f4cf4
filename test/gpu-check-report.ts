// What a dry run of scripts/gpu-check.mjs must report, wherever it ran from (the repository:
// test/gpu-check.test.ts; the device kit: test/device-kit.test.ts).
import { expect } from 'vitest';
import { ALL_TWIN_CASES } from '../src/native/twins/index.js';

export function expectDryRunReport(report: Record<string, any>): void {
  expect(report.failures).toEqual([]);
  expect(report.dry_run).toBe(true);
  expect(report.twins).toMatchObject({ cases: ALL_TWIN_CASES.length, failed: 0 });
  expect(report.full_step.tf32).toBe(false);
  expect(report.full_step.max_relative_error).toBeLessThanOrEqual(1e-3);
  expect(report.full_step.compared).toBeGreaterThan(5);
  for (const precision of ['fp32', 'bf16']) {
    const bench = report.bench[precision];
    expect(bench.clips_per_second).toBeGreaterThan(0);
    expect(bench.cuda.math).toEqual({ precision, tf32: true });
    expect(bench.cuda.gpu).toBe(false);
    // PyTorch on the CPU beside the emulated device, at the same precision (where a torch is installed)
    if (!bench.pytorch_skipped) expect([bench.pytorch_device, bench.pytorch_precision]).toEqual(['cpu', precision]);
  }
  expect(report.training.steps).toBeGreaterThanOrEqual(2);
  expect(report.training.memory_after_epoch).toHaveLength(2);
  for (const memory of report.training.memory_after_epoch) expect(memory.inUseBytes).toBeGreaterThan(0);
  expect(typeof report.training.memory_flat).toBe('boolean');
  expect(report.training.results).toMatchObject({ backend: 'cuda', epochs: 2, math: { precision: 'fp32', tf32: true } });
  expect(report.csc.agreement).toHaveLength(8);
  for (const row of report.csc.agreement) expect([row.loss, row.dv, row.dz]).toEqual([0, 0, 0]);
  expect(report.csc.timing.map((t: { batch: number }) => t.batch)).toEqual([32, 256, 1024, 4096]);
  expect(report.decode).toEqual({ errors: [], max_abs_difference: 0 });
  // no GPU here: NCCL is skipped, saying why (no CUDA device, or no libnccl)
  expect(report.nccl).toEqual({ skipped: expect.stringMatching(/^(NCCL|libnccl|NCCL's|.*no GPU|.*CUDA).+/) });
}
