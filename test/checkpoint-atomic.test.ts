import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
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
  schedule: { lrStudent: 3e-5, lrMnf: 6e-6, milestones: [2], gamma: 0.1 },
  loader: { epoch: 3, index: 0, rng: [1, 2, 3, 4] },
  best: { epoch: 2, top1: 0.5 },
  top1: 0.25,
  extra: { history: [1, 2] },
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

  it('replacing a checkpoint leaves one manifest and one tensors file', () => {
    const dir = join(tempDir(), 'ck');
    writeCheckpoint(dir, meta, { w: { shape: [2], data: Float32Array.from([1, 2]) } });
    writeCheckpoint(dir, { ...meta, step: 43 }, { w: { shape: [2], data: Float32Array.from([3, 4]) } });
    expect(readdirSync(dir).sort()).toEqual(['manifest.json', expect.stringMatching(/^tensors-43-[0-9a-f]+\.bin$/)]);
    expect(Array.from(readCheckpoint(dir).state.w.data)).toEqual([3, 4]);
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
    // the partial tensors file of v2 is on disk, but the manifest still names v1's
    expect(readdirSync(dir).filter((f) => f.startsWith('tensors-')).length).toBe(2);
    const c = readCheckpoint(dir);
    expect(c.meta.step).toBe(1);
    expect(Array.from(c.state.w.data)).toEqual(new Array(32).fill(1));
  }, 30_000);
});
