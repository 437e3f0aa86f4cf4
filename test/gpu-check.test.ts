// scripts/gpu-check.mjs (the CUDA checks for a GPU machine without node_modules), run here in
// --dry-run mode: every step with the CPU path in place of CUDA, so the script itself is tested.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deviceInfo } from '../src/native/device.js';

const root = join(__dirname, '..');
const built = existsSync(join(root, 'dist', 'src', 'native', 'csc.js'));
if (!built) console.warn('gpu-check test skipped: dist/ is not built (npm run build:ts)');
const gpu = deviceInfo().devices.length > 0;

describe('scripts/gpu-check.mjs', () => {
  it.skipIf(!built)('--dry-run compares and times every case and exits 0', () => {
    const r = spawnSync(process.execPath, [join(root, 'scripts', 'gpu-check.mjs'), '--dry-run', '--repeats', '1'], { encoding: 'utf8', timeout: 120_000 });
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.dry_run).toBe(true);
    expect(report.failures).toEqual([]);
    expect(report.csc.agreement).toHaveLength(8);
    for (const row of report.csc.agreement) expect([row.loss, row.dv, row.dz]).toEqual([0, 0, 0]);
    expect(report.csc.timing.map((t: { batch: number }) => t.batch)).toEqual([32, 256, 1024, 4096]);
    expect(report.decode).toEqual({ errors: [], max_abs_difference: 0 });
  }, 120_000);

  it.skipIf(!built || gpu)('without a GPU (and without --dry-run) it says why and exits 1', () => {
    const r = spawnSync(process.execPath, [join(root, 'scripts', 'gpu-check.mjs')], { encoding: 'utf8', timeout: 60_000 });
    const report = JSON.parse(r.stdout);
    expect(r.status).toBe(1);
    expect(report.failures[0]).toMatch(/^no CUDA device: .+/);
  }, 60_000);
});
