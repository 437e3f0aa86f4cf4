// doctor's CUDA line: with no NVIDIA driver at all (no libcuda.so.1 to load) it says so, rather than
// the CUDA runtime's "driver version is insufficient". Which case applies is decided here
// independently of the addon, from the dynamic linker's cache and LD_LIBRARY_PATH.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deviceInfo } from '../src/native/device.js';
import { repoRoot } from './data-helpers.js';

function driverLibraryPresent(): boolean {
  const cache = spawnSync('ldconfig', ['-p'], { encoding: 'utf8' });
  if (cache.status === 0 && /\blibcuda\.so\.1\b/.test(cache.stdout)) return true;
  const dirs = (process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean);
  return dirs.some((dir) => existsSync(join(dir, 'libcuda.so.1')));
}

const info = deviceInfo();
const noDriver = info.cudaBuilt && !driverLibraryPresent();

function doctor(args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'src', 'cli.ts'), 'doctor', ...args], { encoding: 'utf8', cwd: repoRoot, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('doctor on a machine without an NVIDIA driver', () => {
  it.skipIf(!noDriver)('says that no driver was found, in --json and in text', () => {
    const json = doctor(['--json']);
    expect(json.code, json.stderr).toBe(0);
    const report = JSON.parse(json.stdout) as { cuda: { built: boolean; devices: unknown[]; reason: string } };
    expect(report.cuda.devices).toEqual([]);
    expect(report.cuda.reason).toMatch(/^no NVIDIA driver found \(.*libcuda\.so\.1.*\)$/);
    expect(report.cuda.reason).not.toMatch(/insufficient/);

    const text = doctor([]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^CUDA: built; no device: no NVIDIA driver found \(/m);
  });

  it.skipIf(!info.cudaBuilt || noDriver)('with a driver present, the reason (if any) does not claim it is missing', () => {
    if (info.devices.length === 0) expect(info.cudaReason).not.toMatch(/no NVIDIA driver found/);
    else expect(info.cudaReason).toBe('');
  });
});
