// The fused ops are kernels registered per backend: initBackend leaves cpu and native with a kernel
// for every one, and the models, losses and optimiser choose no code path by backend name.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tf } from '../src/tf.js';
import { TEST_BACKENDS, useBackend } from './models-backends.js';
import { missingKernels } from './ops-kernels.js';

const SRC = join(import.meta.dirname, '..', 'src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

describe.each(TEST_BACKENDS)('backend %s after initBackend', (backend) => {
  it('has a kernel for every fused op', async () => {
    await useBackend(backend);
    expect(tf.getBackend()).toBe(backend);
    expect(missingKernels(), `initBackend('${backend}') registers the project's kernels (src/backend/cpu/register.ts for cpu)`).toEqual([]);
  });
});

describe('models, losses and the optimiser', () => {
  const files = [...sources(join(SRC, 'models')), ...sources(join(SRC, 'losses')), ...sources(join(SRC, 'train')).filter((f) => /[/\\]adam[^/\\]*\.ts$/.test(f))];

  it.each(files.map((f) => [f.slice(SRC.length + 1), f]))('%s names no backend', (_name, file) => {
    const code = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
    expect(code).not.toMatch(/getBackend\(|\bbackend\(\)|readSync/);
    expect(code).not.toMatch(/['"`](cpu|native|tensorflow|webgl|wasm|cuda)['"`]/);
  });

  it('are the files the scan expects', () => {
    expect(files.some((f) => f.endsWith('batchnorm.ts'))).toBe(true);
    expect(files.some((f) => f.endsWith('csc.ts'))).toBe(true);
    expect(files.some((f) => f.endsWith('adam.ts'))).toBe(true);
  });
});
