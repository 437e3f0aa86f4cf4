// --precision fp32|bf16 and --tf32 on|off: parsed for train, eval and bench step (and config files),
// bf16 refused off backend cuda (exit 2), kept by --resume unless given, carried into backend
// cuda's math field, and recorded in the run event and results.json.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cudaBackend } from '../src/backend/cuda/register.js';
import { initBackend } from '../src/backend/select.js';
import { UsageError } from '../src/commands/args.js';
import { checkPrecisionBackend, mathFlags } from '../src/commands/math-flags.js';
import { buildRunConfig } from '../src/config/load.js';
import { resolveConfig } from '../src/config/presets.js';
import type { RunConfig } from '../src/config/types.js';
import { defaultSetup } from '../src/train/engine-setup.js';
import type { RunEvent } from '../src/train/events.js';
import { startEngineInProcess } from '../src/train/in-process.js';
import { continueConfig } from '../src/train/resume.js';
import { cli } from './cli-process.js';
import { emulatedCudaWorld, record } from './engine-fixture.js';

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'mnf-precision-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('--precision and --tf32 flags', () => {
  it('parse into the fields given, and only those', () => {
    expect(mathFlags({})).toEqual({});
    expect(mathFlags({ precision: 'bf16', tf32: 'off' })).toEqual({ precision: 'bf16', tf32: false });
    expect(mathFlags({ tf32: 'on' })).toEqual({ tf32: true });
  });

  it('refuse other values in one line naming the flag', () => {
    expect(() => mathFlags({ precision: 'fp16' })).toThrow(new UsageError("--precision: expected one of fp32, bf16, got 'fp16'"));
    expect(() => mathFlags({ tf32: 'yes' })).toThrow(new UsageError("--tf32: expected one of on, off, got 'yes'"));
  });

  it('bf16 needs backend cuda; fp32 runs anywhere', () => {
    expect(() => checkPrecisionBackend('bf16', 'native')).toThrow(new UsageError('--precision bf16: needs --backend cuda (got --backend native)'));
    expect(() => checkPrecisionBackend('bf16', undefined)).toThrow(/needs --backend cuda \(got --backend auto\)/);
    expect(() => checkPrecisionBackend('bf16', 'cuda')).not.toThrow();
    expect(() => checkPrecisionBackend('fp32', 'cpu')).not.toThrow();
  });

  it('are configuration keys: presets say fp32 with TF32, a config file may change both, flags override it', () => {
    expect(resolveConfig('ucf51')).toMatchObject({ precision: 'fp32', tf32: true });
    const file = join(scratch, 'bf16.json');
    writeFileSync(file, JSON.stringify({ precision: 'bf16', tf32: false }));
    expect(buildRunConfig({ configFile: file, flags: {}, defaultPreset: 'tiny' })).toMatchObject({ precision: 'bf16', tf32: false });
    expect(buildRunConfig({ configFile: file, flags: { tf32: true }, defaultPreset: 'tiny' })).toMatchObject({ precision: 'bf16', tf32: true });
    const bad = join(scratch, 'bad.json');
    writeFileSync(bad, JSON.stringify({ tf32: 'off' }));
    expect(() => buildRunConfig({ configFile: bad, flags: {}, defaultPreset: 'tiny' })).toThrow(`${bad}: 'tf32' must be true or false, got "off"`);
  });

  it('--resume keeps the checkpoint\'s math mode unless a flag changes it; older checkpoints computed in fp32 with TF32', () => {
    const saved: RunConfig = { ...resolveConfig('tiny'), precision: 'bf16', tf32: false };
    expect(continueConfig(saved, { epochs: 5 })).toMatchObject({ epochs: 5, precision: 'bf16', tf32: false });
    expect(continueConfig(saved, { precision: 'fp32', tf32: undefined })).toMatchObject({ precision: 'fp32', tf32: false });
    const { precision: _p, tf32: _t, ...older } = saved;
    expect(continueConfig(older as RunConfig)).toMatchObject({ precision: 'fp32', tf32: true });
  });
});

describe('the command line refuses bf16 off backend cuda (exit 2, one line, nothing written)', () => {
  it.each([
    [['train', '--headless', '--preset', 'tiny', '--precision', 'bf16', '--backend', 'native'], '--precision bf16: needs --backend cuda (got --backend native)'],
    [['train', '--headless', '--preset', 'tiny', '--precision', 'bf16'], '--precision bf16: needs --backend cuda (got --backend auto)'],
    [['train', '--headless', '--precision', 'half'], "--precision: expected one of fp32, bf16, got 'half'"],
    [['train', '--headless', '--tf32', '0'], "--tf32: expected one of on, off, got '0'"],
    [['eval', '--checkpoint', '/nonexistent', '--precision', 'bf16', '--backend', 'cpu'], '--precision bf16: needs --backend cuda (got --backend cpu)'],
    [['bench', 'step', '--precision', 'bf16'], '--precision bf16: needs --backend cuda (got --backend native)'],
  ])('mnf-tui %j', { timeout: 120_000 }, (args, message) => {
    const out = join(scratch, `refused-${Math.random().toString(36).slice(2)}`);
    const r = cli([...args, ...(args[0] === 'train' ? ['--out', out] : [])]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr.trim()).toBe(`mnf-tui: ${message}`);
    expect(existsSync(out)).toBe(false);
  });

  it('names --precision and --tf32 among what --resume may change', () => {
    const r = cli(['train', '--headless', '--resume', join(scratch, 'none'), '--method', 'ce']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/only --epochs, --out, --overwrite, --backend, --precision, --tf32/);
  }, 120_000);

  it('a config file asking for bf16 needs --backend cuda too', () => {
    const file = join(scratch, 'bf16-run.json');
    writeFileSync(file, JSON.stringify({ precision: 'bf16' }));
    const r = cli(['train', '--headless', '--config', file, '--backend', 'native', '--out', join(scratch, 'run-refused')]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('mnf-tui: --precision bf16: needs --backend cuda (got --backend native)');
  }, 120_000);
});

describe('the math mode reaches backend cuda and the run\'s records', () => {
  const world = emulatedCudaWorld();

  it('initBackend sets the backend\'s math field and refuses bf16 elsewhere', async () => {
    await initBackend('cuda', { device: 'emulated', math: { precision: 'bf16', tf32: false } });
    expect(cudaBackend()!.math).toEqual({ precision: 'bf16', tf32: false });
    await initBackend('cuda', { device: 'emulated', math: { precision: 'fp32', tf32: true } });
    expect(cudaBackend()!.math).toEqual({ precision: 'fp32', tf32: true });
    await expect(initBackend('native', { math: { precision: 'bf16', tf32: true } })).rejects.toThrow('--precision bf16: needs --backend cuda (got --backend native)');
  });

  it('a run with precision bf16 and TF32 off: backend cuda computes so, the run event and results.json say so', async () => {
    const out = join(world().root, 'bf16-run');
    const config = world().config({ epochs: 1, precision: 'bf16', tf32: false });
    const handle = startEngineInProcess(config, { out, backend: 'cuda', autoStart: true, finalEvaluation: false }, defaultSetup());
    const events = record(handle);
    const exit = await handle.done;
    expect(exit.error).toBeNull();
    expect(cudaBackend()!.math).toEqual({ precision: 'bf16', tf32: false });
    const run = events.find((e): e is RunEvent => e.type === 'run')!;
    expect(run.math).toEqual({ precision: 'bf16', tf32: false });
    expect(run.config).toMatchObject({ precision: 'bf16', tf32: false });
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(results.math).toEqual({ precision: 'bf16', tf32: false });
    expect(results.backend).toBe('cuda');
  }, 180_000);
});
