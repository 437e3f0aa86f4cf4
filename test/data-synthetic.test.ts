// The unconstrained-video generator: seed layout the reader accepts, CNN14-like teacher features,
// noise/partial knobs, real features per class, the default dataset in the cache folder.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultDatasetDir, ensureDefaultDataset } from '../src/data/default-dataset.js';
import { openDataset } from '../src/data/dataset.js';
import { encodeNpy, parseNpy } from '../src/data/npy.js';
import { makeSynthetic } from '../src/data/synthetic.js';
import { decodeFrame } from '../src/native/decode.js';
import { removeTempDirs, repoRoot, sharedDir, tempDir } from './data-helpers.js';

afterAll(removeTempDirs);

const cosine = (a: Float32Array, b: Float32Array) => {
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return ab / Math.sqrt(aa * bb + 1e-12);
};

describe('make-synthetic', () => {
  it('writes the seed layout with the asked sizes; teacher features are sparse, non-negative, class-structured', async () => {
    const out = tempDir();
    const summary = await makeSynthetic({ out, classes: 4, videosPerClass: 6, frames: 7, size: 48, seed: 2 });
    expect(summary).toMatchObject({ videos: 24, frames: 24 * 7, noisyTeacher: 0 });
    const d = await openDataset(out);
    expect(d.classNames).toEqual(summary.classNames);
    expect(new Set(d.classNames).size).toBe(4);
    const all = [...d.videos('training'), ...d.videos('validation')];
    expect(all).toHaveLength(24);
    expect(d.videos('validation').length).toBeGreaterThanOrEqual(4);
    for (const v of all) expect({ frames: v.frameCount, w: v.width, h: v.height }).toEqual({ frames: 7, w: 64, h: 48 });
    const features = all.map((v) => d.teacher(v));
    for (const f of features) {
      expect(f).toHaveLength(512);
      expect(Math.min(...f)).toBeGreaterThanOrEqual(0);
      const active = f.filter((x) => x > 0).length / 512;
      expect(active).toBeGreaterThan(0.05);
      expect(active).toBeLessThan(0.5);
    }
    let within = 0, between = 0, nw = 0, nb = 0;
    all.forEach((a, i) => all.forEach((b, j) => {
      if (i >= j) return;
      const c = cosine(features[i], features[j]);
      if (a.label === b.label) (within += c), nw++;
      else (between += c), nb++;
    }));
    expect(within / nw).toBeGreaterThan(between / nb + 0.3);
    // per-video variation: two videos of one class differ
    const [v0, v1] = all.filter((v) => v.label === 0);
    expect(decodeFrame(v0.videoPath, 0).pixels).not.toEqual(decodeFrame(v1.videoPath, 0).pixels);
  });

  it('--noise gives that share of videos an irrelevant teacher feature; --partial replaces channels; same seed, same files', async () => {
    const a = tempDir();
    const b = tempDir();
    const summary = await makeSynthetic({ out: a, classes: 3, videosPerClass: 20, frames: 2, size: 16, noise: 0.5, partial: 0.3, seed: 9 });
    expect(summary.noisyTeacher).toBeGreaterThan(15);
    expect(summary.noisyTeacher).toBeLessThan(45);
    await makeSynthetic({ out: b, classes: 3, videosPerClass: 20, frames: 2, size: 16, noise: 0.5, partial: 0.3, seed: 9 });
    const id = `v_${summary.classNames[1]}_g03_c01`;
    expect(readFileSync(join(a, 'audio_features', `${id}.npy`))).toEqual(readFileSync(join(b, 'audio_features', `${id}.npy`)));
    expect(readFileSync(join(a, 'annotation.json'), 'utf8')).toEqual(readFileSync(join(b, 'annotation.json'), 'utf8'));
  });

  it('--teacher-features draws real features per class from a folder of <Class>/<id>.npy', async () => {
    const real = tempDir();
    const pool = new Map<string, Float32Array[]>();
    for (const cls of ['Archery', 'Bowling', 'Cello']) {
      mkdirSync(join(real, cls));
      pool.set(cls, []);
      for (let k = 0; k < 3; k++) {
        const f = Float32Array.from({ length: 64 }, (_, i) => ((i + k + cls.length) % 7 === 0 ? 1 + k : 0));
        pool.get(cls)!.push(f);
        writeFileSync(join(real, cls, `v_${cls}_${k}.npy`), encodeNpy(f, [64]));
        writeFileSync(join(real, cls, `._v_${cls}_${k}.npy`), 'junk');
      }
    }
    const out = tempDir();
    const summary = await makeSynthetic({ out, classes: 2, videosPerClass: 3, frames: 2, size: 16, teacherFeatures: real });
    expect(summary.classNames).toEqual(['Archery', 'Bowling']);
    const d = await openDataset(out);
    for (const v of [...d.videos('training'), ...d.videos('validation')]) {
      const f = Array.from(d.teacher(v));
      expect(pool.get(v.className)!.some((p) => Array.from(p).every((x, i) => x === f[i]))).toBe(true);
    }
  });

  const archive = join(sharedDir, 'data', 'ucf51', 'audio_cnn14_512.tar.gz');
  if (!existsSync(archive)) console.warn('data-synthetic: ../shared/data is absent, the UCF51 archive test is skipped');
  it.skipIf(!existsSync(archive))('--teacher-features reads the UCF51 CNN14 archive (.tar.gz, ._ files ignored)', async () => {
    const out = tempDir();
    const summary = await makeSynthetic({ out, classes: 3, videosPerClass: 2, frames: 1, size: 16, teacherFeatures: archive });
    expect(summary.classNames).toEqual(['ApplyEyeMakeup', 'ApplyLipstick', 'Archery']);
    const f = parseNpy(readFileSync(join(out, 'audio_features', `v_Archery_g01_c01.npy`)), 'x');
    expect(f.shape).toEqual([512]);
    expect(Math.min(...f.data)).toBeGreaterThanOrEqual(0);
  });

  it('the default dataset is generated once into the cache folder, with progress', async () => {
    const cache = tempDir();
    const saved = process.env.XDG_CACHE_HOME;
    process.env.XDG_CACHE_HOME = cache;
    try {
      const calls: number[] = [];
      const dir = await ensureDefaultDataset((done) => calls.push(done));
      expect(dir).toBe(defaultDatasetDir());
      expect(dir.startsWith(join(cache, 'mnf-tui'))).toBe(true);
      expect(calls.at(-1)).toBe(calls.length);
      const stamp = statSync(join(dir, 'annotation.json')).mtimeMs;
      const again: number[] = [];
      await ensureDefaultDataset((done) => again.push(done));
      expect(again).toEqual([]);
      expect(statSync(join(dir, 'annotation.json')).mtimeMs).toBe(stamp);
      expect((await openDataset(dir)).classNames.length).toBeGreaterThanOrEqual(2);
    } finally {
      if (saved === undefined) delete process.env.XDG_CACHE_HOME;
      else process.env.XDG_CACHE_HOME = saved;
    }
  });

  it('the CLI writes a dataset and reports it as JSON; bad knobs end in one line', () => {
    const out = tempDir();
    const cli = join(repoRoot, 'src/cli.ts');
    const run = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', cli, 'data', ...args], { cwd: repoRoot, encoding: 'utf8' });
    const ok = run('make-synthetic', '--out', out, '--classes', '2', '--videos-per-class', '2', '--frames', '2', '--size', '16', '--json');
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ videos: 4, frames: 8 });
    const bad = run('make-synthetic', '--out', out, '--noise', '1.5');
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim()).toBe("mnf-tui: --noise: expected a number in [0, 1], got '1.5'");
  });
});

describe('.npy', () => {
  it('round-trips float32 and checks magic, dtype, fortran order and data size', () => {
    const data = Float32Array.from([1.5, -2, 0, 3.25]);
    const bytes = encodeNpy(data, [2, 2]);
    expect((10 + new DataView(bytes.buffer).getUint16(8, true)) % 64).toBe(0);
    expect(parseNpy(bytes, 'a.npy')).toEqual({ shape: [2, 2], data });
    expect(() => parseNpy(new Uint8Array(20), 'b.npy')).toThrow('b.npy: not a .npy file (bad magic)');
    const fortran = Buffer.from(bytes);
    fortran.write('True ', fortran.indexOf('False'));
    expect(() => parseNpy(fortran, 'c.npy')).toThrow('c.npy: fortran_order arrays of rank > 1 are not supported');
    expect(() => parseNpy(bytes.subarray(0, bytes.length - 4), 'd.npy')).toThrow('d.npy: holds 12 data bytes, shape (2, 2) needs 16');
  });
});
