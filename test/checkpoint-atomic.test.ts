import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readCheckpoint, writeCheckpoint, type CheckpointMeta } from '../src/train/checkpoint.js';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'mnf-ckpt-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const meta: CheckpointMeta = {
  config: { preset: 'tiny', method: 'csc' } as never,
  method: 'csc',
  epoch: 3,
  step: 42,
  schedule: { lrStudent: 3e-5, lrHead: 6e-6, milestones: [2], gamma: 0.1 },
  batch: 1,
  best: { epoch: 2, top1: 0.5 },
  top1: 0.25,
};

describe('checkpoint files', () => {
  it('round-trips tensors and metadata exactly', () => {
    const dir = join(tempDir(), 'checkpoint-last');
    const a = Float32Array.from({ length: 24 }, (_, i) => Math.sin(i) * 1e-3);
    const b = Float32Array.from([Math.PI, -0, 1e-38, 3.4e38]);
    writeCheckpoint(dir, meta, { 'student/conv1': { shape: [2, 3, 4], data: a }, 'adam/m': { shape: [4], data: b } });
    const c = readCheckpoint(dir);
    expect(c.meta).toEqual(meta);
    expect(c.state['student/conv1'].shape).toEqual([2, 3, 4]);
    expect(Array.from(c.state['student/conv1'].data)).toEqual(Array.from(a));
    expect(Array.from(c.state['adam/m'].data)).toEqual(Array.from(b));
  });

  it('replacing a checkpoint leaves one manifest and the two data files it names', () => {
    const dir = join(tempDir(), 'ck');
    writeCheckpoint(dir, meta, { 'student/fc.bias': { shape: [2], data: Float32Array.from([5, 6]) }, w: { shape: [2], data: Float32Array.from([1, 2]) } });
    writeFileSync(join(dir, 'manifest.json.0badc0de.tmp'), 'left by a killed writer');
    writeCheckpoint(dir, { ...meta, step: 43 }, { 'student/fc.bias': { shape: [2], data: Float32Array.from([7, 8]) }, w: { shape: [2], data: Float32Array.from([3, 4]) } });
    const files = readdirSync(dir).sort();
    expect(files).toEqual(['manifest.json', expect.stringMatching(/^model-43-[0-9a-f]{8}\.safetensors$/), expect.stringMatching(/^training-43-[0-9a-f]{8}\.safetensors$/)]);
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({ format: 'mnf-tui-checkpoint', version: 2 });
    expect([manifest.files.model.file, manifest.files.training.file]).toEqual(files.slice(1));
    const c = readCheckpoint(dir);
    expect(Array.from(c.state.w.data)).toEqual([3, 4]);
    expect(Array.from(c.state['student/fc.bias'].data)).toEqual([7, 8]);
  });

  it('rejects a shape that does not match the data', () => {
    expect(() => writeCheckpoint(join(tempDir(), 'x'), meta, { w: { shape: [3], data: new Float32Array(2) } })).toThrow(/'w': 2 values for shape \[3\]/);
  });

  it('says in one line what is wrong with a folder that is not a checkpoint', () => {
    const dir = tempDir();
    expect(() => readCheckpoint(join(dir, 'nope'))).toThrow(/nope: not a folder/);
    expect(() => readCheckpoint(dir)).toThrow(/no manifest.json/);
    mkdirSync(join(dir, 'bad'));
    writeFileSync(join(dir, 'bad', 'manifest.json'), '{"format":"other"}');
    expect(() => readCheckpoint(join(dir, 'bad'))).toThrow(/not an mnf-tui checkpoint manifest/);
  });

  it('reads a format-version-1 checkpoint (one float32 tensors file, no checksums); writing over it leaves version 2', () => {
    const dir = join(tempDir(), 'checkpoint-last');
    mkdirSync(dir);
    const values = Float32Array.from([1.5, -2, 0.25, 8, 9]);
    writeFileSync(join(dir, 'tensors-7-00c0ffee.bin'), new Uint8Array(values.buffer));
    const { batch: _, ...v1Meta } = meta;
    const v1 = { format: 'mnf-tui-checkpoint', version: 1, savedAt: '2025-01-01T00:00:00.000Z', ...v1Meta, loader: { epoch: 3, batch: 1 }, extra: { history: [1] } };
    const tensors = [
      { name: 'student/fc.weight', shape: [2, 2], offset: 0, length: 4 },
      { name: 'optim.student/step', shape: [], offset: 16, length: 1 },
    ];
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...v1, tensorsFile: 'tensors-7-00c0ffee.bin', bytes: 20, tensors }));
    const c = readCheckpoint(dir);
    expect(c.meta).toEqual({ ...v1Meta, loader: { epoch: 3, batch: 1 } });
    expect(Array.from(c.state['student/fc.weight'].data)).toEqual([1.5, -2, 0.25, 8]);
    expect(c.state['optim.student/step']).toEqual({ shape: [], data: Float32Array.of(9) });
    writeCheckpoint(dir, c.meta, c.state);
    expect(readdirSync(dir).some((f) => f.endsWith('.bin'))).toBe(false);
    expect(readCheckpoint(dir).state).toEqual(c.state);
  });

  it('names the version it cannot read', () => {
    const dir = join(tempDir(), 'future');
    mkdirSync(dir);
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ format: 'mnf-tui-checkpoint', version: 3 }));
    expect(() => readCheckpoint(dir)).toThrow(/manifest\.json: format version 3, expected 1 or 2$/);
  });

  it('a process killed while writing a checkpoint leaves the previous one loadable', async () => {
    const dir = join(tempDir(), 'checkpoint-last');
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'checkpoint-kill-child.ts'), dir], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    const exit = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('writing')) resolve();
      });
      child.on('exit', () => reject(new Error(`child exited before writing: ${out}`)));
    });
    child.kill('SIGKILL');
    expect(await exit).toBe('SIGKILL');
    expect(out).toContain('saved v1');
    expect(out).not.toContain('saved v2');
    // v2's partial data files are on disk, but the manifest still names v1's, and they verify
    const named = Object.values(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')).files).map((f) => (f as { file: string }).file);
    expect(named.every((f) => f.includes('-1-'))).toBe(true);
    expect(readdirSync(dir).filter((f) => f.endsWith('.safetensors') && !named.includes(f)).length).toBeGreaterThan(0);
    const c = readCheckpoint(dir);
    expect(c.meta.step).toBe(1);
    expect(Array.from(c.state['student/stem.bn.weight'].data)).toEqual(new Array(8).fill(3));
    expect(Array.from(c.state.w.data)).toEqual(new Array(32).fill(1));
  }, 30_000);
});
