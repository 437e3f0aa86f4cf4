// scripts/gpu-check.mjs (the CUDA checks for a GPU machine without node_modules), run here from
// dist/ in --dry-run mode: every step with the emulated device and the CPU in place of CUDA, on tiny
// sizes, so the script itself is tested. test/device-kit.test.ts runs the same dry run from the kit.
import { runProcess } from './run-process.js';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { deviceInfo } from '../src/native/device.js';
import { expectDryRunReport } from './gpu-check-report.js';

const root = join(__dirname, '..');
const built = existsSync(join(root, 'dist', 'src', 'native', 'twins', 'index.js'));
if (!built) console.warn('gpu-check test skipped: dist/ is not built (npm run build:ts)');
const gpu = deviceInfo().devices.length > 0;
const scratch = mkdtempSync(join(tmpdir(), 'mnf-gpu-check-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('scripts/gpu-check.mjs', () => {
  it.skipIf(!built)('--dry-run runs every check on the emulated device, writes --out and exits 0', async () => {
    const out = join(scratch, 'report.json');
    const r = await runProcess(process.execPath, [join(root, 'scripts', 'gpu-check.mjs'), '--dry-run', '--repeats', '1', '--out', out], {
      timeout: 600_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(report);
    expectDryRunReport(report);
  }, 600_000);

  it.skipIf(!built || gpu)('without a GPU (and without --dry-run) it says why and exits 1', async () => {
    const r = await runProcess(process.execPath, [join(root, 'scripts', 'gpu-check.mjs')], { timeout: 60_000, env: { ...process.env, OUT: scratch } });
    const report = JSON.parse(r.stdout);
    expect(r.status).toBe(1);
    expect(report.failures[0]).toMatch(/^no CUDA device: .+/);
    // $OUT/gpu-check.json without --out
    expect(JSON.parse(readFileSync(join(scratch, 'gpu-check.json'), 'utf8'))).toEqual(report);
  }, 60_000);
});
