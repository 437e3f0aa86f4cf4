// `mnf-tui bench kernels --json` at a tiny preset: the report's structure, not its speed.
import { existsSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { run } from '../src/bench/kernels.js';

interface Shape {
  kind: 'conv' | 'matmul';
  calls: number;
  native_ms: number;
  pytorch_ms: number | null;
  ratio: number | null;
}

describe('bench kernels --json', () => {
  it('lists the student step\'s conv and matmul shapes with native and PyTorch times and a top-level ratio', async () => {
    const out: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out.push(String(chunk));
      return true;
    });
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    // a machine-wide OpenBLAS override must not reach the baseline (Prescott: no CPU of today detects as it)
    vi.stubEnv('OPENBLAS_CORETYPE', 'Prescott');
    let code: number;
    try {
      code = await run(['--json', '--preset', 'tiny', '--repeats', '1', '--threads', '1', '--no-cpu']);
    } finally {
      write.mockRestore();
      err.mockRestore();
      vi.unstubAllEnvs();
    }
    expect(code).toBe(0);
    const report = JSON.parse(out.join('')) as {
      ratio: number | null;
      threads: number;
      shapes: Shape[];
      pytorch: { skipped?: string; blas?: { name: string; core?: string | null; threads?: number | null } };
      pytorch_blas: string | null;
      native_total_ms: number;
      pytorch_total_ms: number | null;
    };
    expect(report.threads).toBe(1);
    const kinds = new Set(report.shapes.map((s) => s.kind));
    expect(kinds).toEqual(new Set(['conv', 'matmul']));
    for (const s of report.shapes) {
      expect(s.calls).toBeGreaterThan(0);
      expect(s.native_ms).toBeGreaterThan(0);
    }
    const torchPresent = existsSync('/usr/bin/python3');
    if (torchPresent && !report.pytorch.skipped) {
      expect(typeof report.ratio).toBe('number');
      expect(report.ratio).toBeCloseTo(report.native_total_ms / report.pytorch_total_ms!, 2);
      for (const s of report.shapes) expect(s.pytorch_ms).toBeGreaterThan(0);
      // the BLAS torch called, e.g. "openblas-pthread 0.3.21" or "reference"
      expect(report.pytorch_blas).toMatch(/\S/);
      expect(report.pytorch_blas).toBe(report.pytorch.blas!.name);
      if (report.pytorch_blas!.startsWith('openblas')) {
        expect(report.pytorch.blas!.core).not.toBe('Prescott');
        expect(report.pytorch.blas!.threads).toBe(1);
      }
    } else {
      console.log(`bench kernels: PyTorch baseline skipped (${report.pytorch.skipped ?? '/usr/bin/python3 missing'}): ratio is null`);
      expect(report.ratio).toBeNull();
      expect(report.pytorch_blas).toBeNull();
    }
  }, 120_000);
});
