// Clip sampling and the prefetching loader on a tiny generated dataset: modes, seeded order,
// determinism, exact resume from a saved position, data-wait accounting.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDataset, type Dataset } from '../src/data/dataset.js';
import { createLoader, type LoaderOptions } from '../src/data/loader.js';
import { Rng } from '../src/rng.js';
import { centreCrop, evenlySpacedClips, randomResizedCrop, trainClip, windowClips } from '../src/data/sampler.js';
import { makeSynthetic } from '../src/data/synthetic.js';
import type { ClipBatch } from '../src/data/types.js';
import { removeTempDirs, tempDir } from './data-helpers.js';

let dataset: Dataset;
beforeAll(async () => {
  const out = tempDir();
  await makeSynthetic({ out, classes: 3, videosPerClass: 5, frames: 10, size: 32, seed: 5 });
  dataset = await openDataset(out);
});
afterAll(removeTempDirs);

async function collect(loader: AsyncIterable<ClipBatch>): Promise<ClipBatch[]> {
  const out: ClipBatch[] = [];
  for await (const b of loader) out.push(b);
  return out;
}

describe('sampler', () => {
  it('RandomResizedCrop boxes stay inside the frame with scale in (0.25, 1) and ratio in (3/4, 4/3)', () => {
    const rng = new Rng(7);
    for (let i = 0; i < 500; i++) {
      const b = randomResizedCrop(320, 240, rng);
      expect(b.x).toBeGreaterThanOrEqual(0);
      expect(b.y).toBeGreaterThanOrEqual(0);
      expect(b.x + b.width).toBeLessThanOrEqual(320);
      expect(b.y + b.height).toBeLessThanOrEqual(240);
      const area = (b.width * b.height) / (320 * 240);
      expect(area).toBeGreaterThan(0.24);
      expect(area).toBeLessThanOrEqual(1);
      expect(b.width / b.height).toBeGreaterThan(0.7);
      expect(b.width / b.height).toBeLessThan(1.4);
    }
  });

  it('train clips are 16 consecutive frames, looping when the video is shorter', () => {
    const long = trainClip(0, 40, 320, 240, 16, new Rng(1));
    expect(long.frames.slice(1).every((f, i) => f === long.frames[i] + 1)).toBe(true);
    expect(trainClip(0, 11, 320, 240, 16, new Rng(1)).frames).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0, 1, 2, 3, 4]);
  });

  it('val: 3 evenly spaced clips with a centre crop; test: non-overlapping windows', () => {
    expect(evenlySpacedClips(2, 40, 320, 240, 16).map((c) => c.frames[0])).toEqual([0, 12, 24]);
    expect(evenlySpacedClips(2, 40, 320, 240, 16)[0].box).toEqual({ x: 40, y: 0, width: 240, height: 240 });
    expect(centreCrop(240, 320)).toEqual({ x: 0, y: 40, width: 240, height: 240 });
    expect(windowClips(1, 40, 320, 240, 16).map((c) => c.frames[0])).toEqual([0, 16]);
    expect(windowClips(1, 10, 320, 240, 16)).toHaveLength(1);
  });
});

describe('loader', () => {
  const train: LoaderOptions = { subset: 'training', mode: 'train', batchSize: 4, clipLength: 6, size: 16, seed: 11 };

  it('yields (B, T, S, S, 3) clips with teacher features, labels and video indices', async () => {
    const loader = createLoader(dataset, train);
    const batches = await collect(loader);
    const videos = dataset.videos('training');
    expect(batches).toHaveLength(Math.floor(videos.length / 4));
    expect(loader.batchesPerEpoch).toBe(batches.length);
    const b = batches[0];
    expect(b.shape).toEqual([4, 6, 16, 16, 3]);
    expect(b.clips).toHaveLength(4 * 6 * 16 * 16 * 3);
    expect(b.teacherDim).toBe(512);
    for (let i = 0; i < 4; i++) {
      const record = videos[b.videoIndex[i]];
      expect(b.labels[i]).toBe(record.label);
      expect(Array.from(b.teacher.subarray(i * 512, (i + 1) * 512))).toEqual(Array.from(dataset.teacher(record)));
    }
    const seen = batches.flatMap((x) => Array.from(x.videoIndex));
    expect(new Set(seen).size).toBe(seen.length); // an epoch visits each video once
    expect(loader.stats()).toMatchObject({ batches: batches.length, clips: seen.length, skippedClips: 0 });
    expect(loader.stats().waitMs).toBeGreaterThanOrEqual(0);
  });

  it('is deterministic for a seed; another seed or epoch changes order and crops', async () => {
    const a = await collect(createLoader(dataset, train));
    const b = await collect(createLoader(dataset, train));
    expect(a.map((x) => Array.from(x.videoIndex))).toEqual(b.map((x) => Array.from(x.videoIndex)));
    expect(a[0].clips).toEqual(b[0].clips);
    const c = await collect(createLoader(dataset, { ...train, seed: 12 }));
    expect(c.map((x) => Array.from(x.videoIndex))).not.toEqual(a.map((x) => Array.from(x.videoIndex)));
    const epoch1 = await collect(createLoader(dataset, { ...train, epoch: 1 }));
    expect(epoch1.map((x) => Array.from(x.videoIndex))).not.toEqual(a.map((x) => Array.from(x.videoIndex)));
  });

  it('iterating again continues with the next epoch, and a saved position resumes exactly mid-epoch', async () => {
    const loader = createLoader(dataset, { ...train, prefetch: 3 });
    const epoch0 = await collect(loader);
    expect(loader.position()).toMatchObject({ epoch: 1, batch: 0, seed: 11 });
    const epoch1: ClipBatch[] = [];
    let saved;
    for await (const b of loader) {
      epoch1.push(b);
      if (epoch1.length === 1) saved = JSON.parse(JSON.stringify(loader.position()));
    }
    expect(saved).toEqual({ epoch: 1, batch: 1, seed: 11, rngState: 'derived' });
    expect(epoch0.length).toBe(epoch1.length);
    const resumed = await collect(createLoader(dataset, { ...train, position: saved }));
    expect(resumed).toHaveLength(epoch1.length - 1);
    resumed.forEach((b, i) => {
      expect(Array.from(b.videoIndex)).toEqual(Array.from(epoch1[i + 1].videoIndex));
      expect(b.clips).toEqual(epoch1[i + 1].clips);
    });
  });

  it('val gives 3 clips per video in order, test covers each video with windows', async () => {
    const videos = dataset.videos('validation');
    const val = await collect(createLoader(dataset, { ...train, subset: 'validation', mode: 'val', batchSize: 5 }));
    const valIndex = val.flatMap((b) => Array.from(b.videoIndex));
    expect(valIndex).toEqual(videos.flatMap((_, v) => [v, v, v]));
    const test = await collect(createLoader(dataset, { ...train, subset: 'validation', mode: 'test', batchSize: 5 }));
    const testIndex = test.flatMap((b) => Array.from(b.videoIndex));
    expect(testIndex).toEqual(videos.flatMap((v, i) => Array(Math.floor(v.frameCount / 6)).fill(i)));
  });

  it('rejects bad options and foreign positions in one line', () => {
    expect(() => createLoader(dataset, { ...train, batchSize: 0 })).toThrow(/batchSize: expected an integer >= 1, got 0/);
    expect(() => createLoader(dataset, { ...train, position: { epoch: 0, batch: 0, seed: 99, rngState: 'derived' } })).toThrow(
      /position: saved with seed 99, loader seed is 11/,
    );
  });
});
