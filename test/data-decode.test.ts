// The addon's frame decode and clip transform against independent implementations: the ffmpeg CLI
// decoder (PSNR) and Pillow's crop + bilinear resize + flip (test/fixtures/data/pillow-transform.json).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeClips, decodeFrame, readFrameBytes } from '../src/native/decode.js';
import { addonPath } from '../src/native/addon.js';
import { deviceInfo } from '../src/native/device.js';
import { miniDir, removeTempDirs, repoRoot, tempDir } from './data-helpers.js';
import { compareTransformTwin } from '../src/native/twin-check.js';

const MEAN = [0.485, 0.456, 0.406];
const STD = [0.229, 0.224, 0.225];
const video = (id: string) => join(miniDir, 'video_set_4fps', `${id}.hdf5`);
const hasMini = existsSync(miniDir);
const hasFfmpeg = spawnSync('ffmpeg', ['-version']).status === 0;
if (!hasMini) console.warn('data-decode: ../shared/fixtures/ucf51-mini is absent, fixture tests skipped');
if (!hasFfmpeg) console.warn('data-decode: the ffmpeg CLI is absent, PSNR test skipped');

afterAll(removeTempDirs);

function psnr(a: Uint8Array, b: Uint8Array): number {
  let se = 0;
  for (let i = 0; i < a.length; i++) se += (a[i] - b[i]) ** 2;
  const mse = se / a.length;
  return mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse);
}

describe.skipIf(!hasMini)('frame decode', () => {
  it.skipIf(!hasFfmpeg)('matches the ffmpeg CLI decoder at PSNR >= 40 dB', () => {
    const dir = tempDir();
    for (const [id, index] of [['v_Archery_g01_c01', 0], ['v_Bowling_g01_c02', 17], ['v_PlayingCello_g01_c03', 10]] as const) {
      const jpeg = join(dir, `${id}-${index}.jpg`);
      writeFileSync(jpeg, readFrameBytes(video(id), index));
      const ff = spawnSync('ffmpeg', ['-v', 'error', '-i', jpeg, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { maxBuffer: 1 << 24 });
      expect(ff.status).toBe(0);
      const ours = decodeFrame(video(id), index);
      expect(ours.pixels.length).toBe(ff.stdout.length);
      const db = psnr(ours.pixels, new Uint8Array(ff.stdout));
      if (process.env.MNF_DEBUG) console.log(id, index, db);
      expect(db).toBeGreaterThanOrEqual(40);
    }
  });

  it('crop + resize + flip + normalise match Pillow for fixed parameters', async () => {
    const fixture = JSON.parse(readFileSync(join(repoRoot, 'test/fixtures/data/pillow-transform.json'), 'utf8')) as {
      cases: { video: string; frame: number; box: number[]; size: number; flip: boolean; pixels: string }[];
    };
    for (const c of fixture.cases) {
      const out = new Float32Array(c.size * c.size * 3);
      const errors = await decodeClips({
        paths: [video(c.video)],
        frames: Int32Array.from([c.frame]),
        boxes: Float32Array.from(c.box),
        flips: Uint8Array.from([c.flip ? 1 : 0]),
        size: c.size,
        out,
      });
      expect(errors).toEqual([null]);
      const reference = Buffer.from(c.pixels, 'base64');
      let worst = 0;
      let sum = 0;
      for (let i = 0; i < out.length; i++) {
        const pixel = (out[i] * STD[i % 3] + MEAN[i % 3]) * 255; // back to 0..255
        const diff = Math.abs(pixel - reference[i]);
        worst = Math.max(worst, diff);
        sum += diff;
      }
      // Pillow rounds to 8 bits after each pass; we keep floats: at most about one level apart
      if (process.env.MNF_DEBUG) console.log(c.video, worst, sum / out.length);
      expect(worst, `${c.video} frame ${c.frame}`).toBeLessThanOrEqual(1.5);
      expect(sum / out.length).toBeLessThan(0.5);
    }
  });

  it('decodes a batch in place, deterministic, with one result per clip', async () => {
    const request = () => ({
      paths: [video('v_Archery_g01_c01'), video('v_Bowling_g01_c03')],
      frames: Int32Array.from([0, 1, 2, 3, 7, 8, 9, 10]),
      boxes: Float32Array.from([0, 0, 320, 240, 10, 20, 100, 80]),
      flips: Uint8Array.from([0, 1]),
      size: 24,
      out: new Float32Array(2 * 4 * 24 * 24 * 3),
    });
    const a = request();
    const b = request();
    expect(await decodeClips(a)).toEqual([null, null]);
    await decodeClips(b);
    expect(a.out).toEqual(b.out);
    // normalised values stay in the range (0 - mean)/std .. (1 - mean)/std
    expect(Math.min(...a.out)).toBeGreaterThanOrEqual(-0.485 / 0.229 - 1e-4);
    expect(Math.max(...a.out)).toBeLessThanOrEqual((1 - 0.406) / 0.225 + 1e-4);
  });

  it('repeated frame indices (looping clips) decode to the same pixels', async () => {
    const size = 16;
    const frame = size * size * 3;
    const out = new Float32Array(4 * frame);
    const errors = await decodeClips({
      paths: [video('v_Archery_g01_c03')],
      frames: Int32Array.from([10, 0, 10, 3]),
      boxes: Float32Array.from([5, 7, 200, 180]),
      flips: Uint8Array.from([0]),
      size,
      out,
    });
    expect(errors).toEqual([null]);
    expect(out.subarray(2 * frame, 3 * frame)).toEqual(out.subarray(0, frame));
    expect(out.subarray(1 * frame, 2 * frame)).not.toEqual(out.subarray(0, frame));
  });

  it('the SSE and AVX2 resample paths give identical numbers', () => {
    const dir = tempDir();
    const script = join(dir, 'decode.cjs');
    writeFileSync(
      script,
      `const a = require(${JSON.stringify(addonPath())});
       const size = 37, T = 3;
       const out = new Float32Array(2 * T * size * size * 3);
       a.decodeClips({ paths: [${JSON.stringify(video('v_Archery_g01_c01'))}, ${JSON.stringify(video('v_Bowling_g01_c02'))}],
         frames: Int32Array.from([0, 5, 9, 1, 2, 3]), boxes: Float32Array.from([17, 9, 200, 150, 3, 0, 317, 240]),
         flips: Uint8Array.from([0, 1]), size, out }).then((e) => {
           if (e.some((x) => x !== null)) throw new Error(String(e));
           process.stdout.write(Buffer.from(out.buffer).toString('base64'));
         });`,
    );
    const run = (env: Record<string, string>) => spawnSync(process.execPath, [script], { encoding: 'utf8', env: { ...process.env, ...env } });
    const avx2 = run({});
    const sse = run({ MNF_DECODE_NO_AVX2: '1' });
    expect(avx2.status).toBe(0);
    expect(sse.status).toBe(0);
    expect(avx2.stdout.length).toBeGreaterThan(1000);
    expect(sse.stdout).toBe(avx2.stdout);
  });

  it('rejects malformed requests naming the argument', async () => {
    const base = {
      paths: [video('v_Archery_g01_c01')],
      frames: Int32Array.from([0]),
      boxes: Float32Array.from([0, 0, 10, 10]),
      flips: Uint8Array.from([0]),
      size: 8,
      out: new Float32Array(8 * 8 * 3),
    };
    expect(() => decodeClips({ ...base, out: new Float32Array(5) })).toThrow(/request\.out: shape \[1, 1, 8, 8, 3\] needs 192 elements, got 5/);
    expect(() => decodeClips({ ...base, boxes: Float32Array.from([0, 0]) })).toThrow(/request\.boxes/);
    expect(() => decodeClips({ ...base, frames: new Float32Array(1) as never })).toThrow(/request\.frames: expected a Int32Array/);
  });
});

describe.skipIf(!hasMini)('decode workers', () => {
  it('a thread terminated with decodes in flight ends cleanly (no std::terminate)', () => {
    const dir = tempDir();
    const worker = join(dir, 'worker.cjs');
    writeFileSync(
      worker,
      `const a = require(${JSON.stringify(addonPath())});
       const B = 8, T = 16, S = 112;
       for (let k = 0; k < 4; k++) a.decodeClips({ paths: Array(B).fill(${JSON.stringify(video('v_Bowling_g01_c02'))}),
         frames: new Int32Array(B * T), boxes: Float32Array.from(Array(B).fill([0, 0, 200, 200]).flat()),
         flips: new Uint8Array(B), size: S, out: new Float32Array(B * T * S * S * 3) });
       require('node:worker_threads').parentPort.postMessage('started');`,
    );
    const main = `const { Worker } = require('node:worker_threads');
      const w = new Worker(${JSON.stringify(worker)});
      w.on('message', async () => { await w.terminate(); console.log('terminated'); });`;
    const r = spawnSync(process.execPath, ['-e', main], { encoding: 'utf8' });
    expect(r.stderr).not.toMatch(/terminate called/);
    expect(r.stdout.trim()).toBe('terminated');
    expect(r.status).toBe(0);
  });
});

const gpu = (() => {
  try {
    return deviceInfo().devices.length > 0;
  } catch {
    return false;
  }
})();
if (!gpu) console.warn('data-decode: no CUDA device, the CUDA transform twin test is skipped (it compiles, it is not run here)');

describe.skipIf(!hasMini)('CUDA transform twin', () => {
  it.skipIf(!gpu)('gives the CPU path numbers', async () => {
    const r = await compareTransformTwin([video('v_Archery_g01_c01'), video('v_Bowling_g01_c02')]);
    expect(r.errors).toEqual([]);
    expect(r.maxAbsDifference).toBeLessThanOrEqual(1e-5);
  });
});
