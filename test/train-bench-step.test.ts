// mnf-tui bench step --json: the JSON contract (top-level ms_per_step, pytorch_ms_per_step, ratio).
import { spawnSync } from 'node:child_process';
import { describe, expect, it, vi } from 'vitest';
import { addonProblem } from '../src/native/addon.js';
import { run } from '../src/bench/step.js';

const torchProblem = spawnSync(process.env.MNF_PYTHON ?? '/usr/bin/python3', ['-c', 'import torch'], { encoding: 'utf8' }).status === 0 ? undefined : 'no Python with torch';
const problem = addonProblem() ?? torchProblem;
if (problem) console.log(`bench step test skipped: ${problem}`);

describe('bench step', () => {
  it.skipIf(problem !== undefined)('prints one JSON document with the step time, PyTorch\'s and their ratio, and the top kernels', async () => {
    let out = '';
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out += String(chunk);
      return true;
    });
    // a machine-wide OpenBLAS override must not reach the baseline (Prescott: no CPU of today detects as it)
    vi.stubEnv('OPENBLAS_CORETYPE', 'Prescott');
    try {
      expect(await run(['--json', '--preset', 'tiny', '--steps', '1', '--warmup', '0'])).toBe(0);
    } finally {
      write.mockRestore();
      vi.unstubAllEnvs();
    }
    const report = JSON.parse(out) as Record<string, unknown> & { profile: { top_kernels: { name: string; share: number }[] } };
    expect(report.ms_per_step).toBeGreaterThan(0);
    expect(report.pytorch_ms_per_step).toBeGreaterThan(0);
    expect(report.ratio).toBeCloseTo((report.ms_per_step as number) / (report.pytorch_ms_per_step as number), 9);
    expect(report.backend).toBe('native');
    // the BLAS torch called, e.g. "openblas-pthread 0.3.21" or "reference"
    const blas = (report.pytorch as { blas: { name: string; core?: string | null; threads?: number | null } }).blas;
    expect(report.pytorch_blas).toMatch(/\S/);
    expect(report.pytorch_blas).toBe(blas.name);
    if (blas.name.startsWith('openblas')) {
      expect(blas.core).not.toBe('Prescott');
      expect(blas.threads).toBe(report.threads);
    }
    expect(report.profile.top_kernels.length).toBeGreaterThan(0);
    expect(report.profile.top_kernels.map((k) => k.name)).toContain('Conv2D');
    // training throughput with the console rendering vs headless, both measured in this run
    const consoleRuns = (report.console as { runs: { mode: string; clips_per_second: number }[] }).runs;
    expect(consoleRuns.map((r) => r.mode)).toEqual(['headless', 'console', 'headless', 'console']);
    for (const r of consoleRuns) expect(r.clips_per_second).toBeGreaterThan(0);
    expect(report.console_vs_headless).toBeGreaterThan(0);
  }, 120_000);

  it('rejects an unknown preset in one line', async () => {
    await expect(run(['--preset', 'huge'])).rejects.toThrow(/^--preset: expected one of .*, got 'huge'$/);
  });
});

describe('bench step --backend cuda', () => {
  it.skipIf(addonProblem() !== undefined)('measures the same step on cuda (emulated) against native in the same run: ms, fallbacks and transfers per step', async () => {
    let out = '';
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out += String(chunk);
      return true;
    });
    vi.stubEnv('MNF_CUDA_DEVICE', 'emulated');
    try {
      expect(await run(['--json', '--preset', 'tiny', '--steps', '2', '--warmup', '1', '--backend', 'cuda', '--no-pytorch', '--no-console'])).toBe(0);
    } finally {
      write.mockRestore();
      vi.unstubAllEnvs();
    }
    const report = JSON.parse(out) as { ms_per_step: number; cuda: Record<string, unknown> & { memory: { inUseBytes: number } } };
    expect(report.cuda.device).toMatch(/emulated/);
    expect(report.cuda.ratio_vs_native).toBeCloseTo((report.cuda.ms_per_step as number) / report.ms_per_step, 9);
    for (const key of ['fallbacks_per_step', 'host_to_device_bytes_per_step', 'device_to_host_bytes_per_step', 'read_sync_per_step']) {
      expect(report.cuda[key], key).toEqual(expect.any(Number));
    }
    expect(report.cuda.read_sync_per_step).toBeLessThanOrEqual(1);
    expect(report.cuda.memory.inUseBytes).toBeGreaterThan(0);
  }, 120_000);
});
