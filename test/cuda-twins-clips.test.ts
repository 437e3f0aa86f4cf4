// The clip data path's twin cases (src/native/twins/clips.ts): CUDA vs emulated where a GPU is usable;
// everywhere, the cases run on the emulated device and two of them are checked against a JS
// reference transform (Pillow's bilinear filter, written out here) of the fully decoded frames.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeFrame } from '../src/native/decode.js';
import { CLIP_TWIN_BATCHES, clipTwinCases, clipTwinRequest, decodeOnDevice, ensureTwinVideos, type ClipTwinBatch } from '../src/native/twins/clips.js';
import { describeTwinCases, emulated } from './cuda-twin.js';

const dir = mkdtempSync(join(tmpdir(), 'mnf-clip-twins-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeTwinCases('clip', clipTwinCases(dir));

const MEAN = [0.485, 0.456, 0.406];
const STD = [0.229, 0.224, 0.225];

/** Pillow's precompute_coeffs for the bilinear (triangle) filter, in float64. */
function bilinearTaps(input: number, output: number): { first: number; weights: number[] }[] {
  const scale = input / output;
  const filterScale = Math.max(scale, 1);
  return Array.from({ length: output }, (_, i) => {
    const centre = (i + 0.5) * scale;
    const first = Math.max(0, Math.trunc(centre - filterScale + 0.5));
    const last = Math.min(input, Math.trunc(centre + filterScale + 0.5));
    const raw = Array.from({ length: last - first }, (_, x) => Math.max(0, 1 - Math.abs((x + first - centre + 0.5) / filterScale)));
    const total = raw.reduce((a, b) => a + b, 0);
    return { first, weights: raw.map((w) => w / total) };
  });
}

/** One clip of a batch by the reference: crop the rounded box, resize (vertical then horizontal), mirror, normalise. */
function referenceClip(batch: ClipTwinBatch, clip: number, paths: string[]): Float32Array {
  const S = batch.size;
  const [bx, by, bw, bh] = batch.boxes[clip]!.map((v) => Math.round(v));
  const rows = bilinearTaps(bh!, S);
  const cols = bilinearTaps(bw!, S);
  const frames = batch.frames[clip]!;
  const out = new Float32Array(frames.length * S * S * 3);
  frames.forEach((index, t) => {
    const { width, pixels } = decodeFrame(paths[batch.videos[clip]!]!, index);
    const at = (x: number, y: number, c: number) => pixels[((by! + y) * width + bx! + x) * 3 + c]!;
    for (let j = 0; j < S; j++) {
      for (let i = 0; i < S; i++) {
        const o = batch.flips[clip] ? S - 1 - i : i;
        for (let c = 0; c < 3; c++) {
          let sum = 0;
          cols[i]!.weights.forEach((wx, tx) => {
            let vertical = 0;
            rows[j]!.weights.forEach((wy, ty) => (vertical += wy * at(cols[i]!.first + tx, rows[j]!.first + ty, c)));
            sum += wx * vertical;
          });
          out[((t * S + j) * S + o) * 3 + c] = (sum / 255 - MEAN[c]!) / STD[c]!;
        }
      }
    }
  });
  return out;
}

// The addon decodes only each crop's region of a JPEG; libjpeg's region decode can differ from the
// full decode the reference uses by a few levels in a region's edge column (subsampled chroma), which
// the resize dilutes. A wrong crop, flip or filter moves the mean error by orders of magnitude more.
describe('clip twin cases against a JS reference (emulated device)', () => {
  it.each([CLIP_TWIN_BATCHES[0]!, CLIP_TWIN_BATCHES[1]!].map((b) => [b.name, b] as const))('%s: matches the reference (mean error <= 1e-4, max <= 1e-2)', async (_, batch) => {
    const paths = await ensureTwinVideos(dir);
    const [clips, faults] = await decodeOnDevice(emulated, clipTwinRequest(batch, paths));
    expect(Array.from(faults)).toEqual(batch.videos.map(() => 0));
    const clipFloats = clips.length / batch.videos.length;
    batch.videos.forEach((_, b) => {
      const expected = referenceClip(batch, b, paths);
      const actual = clips.subarray(b * clipFloats, (b + 1) * clipFloats);
      let worst = 0;
      let total = 0;
      for (let k = 0; k < expected.length; k++) {
        const d = Math.abs(actual[k]! - expected[k]!);
        worst = Math.max(worst, d);
        total += d;
      }
      expect(total / expected.length).toBeLessThanOrEqual(1e-4);
      expect(worst).toBeLessThanOrEqual(1e-2);
    });
  });

  it('the faulty case reports its clip and zeroes it', async () => {
    const batch = CLIP_TWIN_BATCHES[3]!;
    const [clips, faults] = await decodeOnDevice(emulated, clipTwinRequest(batch, await ensureTwinVideos(dir)));
    expect(Array.from(faults)).toEqual([1, 0]);
    const clipFloats = clips.length / 2;
    expect(clips.subarray(0, clipFloats).every((v) => v === 0)).toBe(true);
    expect(clips.subarray(clipFloats).some((v) => v !== 0)).toBe(true);
  });
});
