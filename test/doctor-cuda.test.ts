// doctor reports backend cuda: its device and memory when it opens, the reason when it does not.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deviceInfo } from '../src/native/device.js';

const root = join(__dirname, '..');
const doctor = (env: NodeJS.ProcessEnv) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src', 'cli.ts'), 'doctor', '--json'], { encoding: 'utf8', cwd: root, env: { ...process.env, ...env } });
  expect(r.status, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { backends: { name: string; available: boolean; detail: string; device?: string | null; memory?: { inUseBytes: number } | null }[] }).backends.find((b) => b.name === 'cuda')!;
};

describe('doctor: backend cuda', () => {
  it('on the emulated device: available, the device named, its memory figures', () => {
    const cuda = doctor({ MNF_CUDA_DEVICE: 'emulated' });
    expect(cuda).toMatchObject({ available: true, device: 'emulated (host memory)', memory: { inUseBytes: 0 } });
  }, 60_000);

  it.skipIf(deviceInfo().devices.length > 0)('without MNF_CUDA_DEVICE and without a GPU device: unavailable, saying why and how to emulate', () => {
    const cuda = doctor({ MNF_CUDA_DEVICE: '' });
    expect(cuda.available).toBe(false);
    expect(cuda.detail).toMatch(/MNF_CUDA_DEVICE=emulated/);
  }, 60_000);
});
