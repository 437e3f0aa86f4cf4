// The distributed sampler: disjoint shares that cover each epoch once across ranks, the same
// global batches as one process, determinism, exact resume, and the loader's own training order.
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../src/config/errors.js';
import { openDataset } from '../src/data/dataset.js';
import { createLoader } from '../src/data/loader.js';
import { makeSynthetic } from '../src/data/synthetic.js';
import { trainOrder } from '../src/data/sampler.js';
import { createDistributedSampler, type DistributedSamplerOptions, type RankShare } from '../src/distributed/sampler.js';
import { addonProblem } from '../src/native/addon.js';
import { removeTempDirs, tempDir } from './data-helpers.js';

afterAll(removeTempDirs);

const SEED = 3;
const base = (samples: number, globalBatch: number, worldSize: number, rank: number): DistributedSamplerOptions => ({
  order: (epoch) => trainOrder(SEED, epoch, samples),
  samples,
  globalBatch,
  worldSize,
  rank,
});

/** Every rank's shares of `epochs` whole epochs, from the start. */
function run(samples: number, B: number, W: number, epochs: number): RankShare[][] {
  return Array.from({ length: W }, (_, rank) => {
    const sampler = createDistributedSampler(base(samples, B, W, rank));
    return Array.from({ length: epochs * sampler.batchesPerEpoch }, () => sampler.next());
  });
}

describe('distributed sampler', () => {
  for (const W of [1, 2, 3, 4]) {
    it(`W = ${W}: the ranks' shares cover every sample of each epoch exactly once`, () => {
      const shares = run(48, 12, W, 3);
      for (let epoch = 0; epoch < 3; epoch++) {
        const positions = shares.flatMap((rank) => rank.filter((s) => s.epoch === epoch).flatMap((s) => s.positions));
        const samples = shares.flatMap((rank) => rank.filter((s) => s.epoch === epoch).flatMap((s) => s.samples));
        expect(positions.slice().sort((a, b) => a - b)).toEqual(Array.from({ length: 48 }, (_, i) => i));
        expect(samples.slice().sort((a, b) => a - b)).toEqual(Array.from({ length: 48 }, (_, i) => i));
      }
      for (const rank of shares) for (const s of rank) expect(s.samples).toHaveLength(12 / W);
    });

    it(`W = ${W}: the ranks' shares of global batch k, concatenated in rank order, are the single-process batch k`, () => {
      const shares = run(48, 12, W, 2);
      const single = run(48, 12, 1, 2)[0];
      single.forEach((batch, k) => {
        expect(shares.flatMap((rank) => rank[k].samples)).toEqual(batch.samples);
        expect(shares.flatMap((rank) => rank[k].positions)).toEqual(batch.positions);
        expect(batch.samples).toEqual(trainOrder(SEED, batch.epoch, 48).slice(batch.batch * 12, (batch.batch + 1) * 12));
      });
    });
  }

  it('drops the last incomplete global batch on every rank, as one process does', () => {
    const shares = run(50, 12, 3, 1);
    expect(shares.map((rank) => rank.length)).toEqual([4, 4, 4]);
    const positions = shares.flatMap((rank) => rank.flatMap((s) => s.positions));
    expect(positions.sort((a, b) => a - b)).toEqual(Array.from({ length: 48 }, (_, i) => i));
  });

  it('is deterministic, and each epoch has its own order', () => {
    expect(run(48, 12, 2, 2)).toEqual(run(48, 12, 2, 2));
    const [rank0] = run(48, 12, 1, 2);
    expect(rank0[0].samples).not.toEqual(rank0[4].samples);
  });

  it('resumes from a position mid-epoch: the same shares as without the stop, still covering each epoch once', () => {
    const W = 3;
    const whole = run(48, 12, W, 3);
    const resumed = Array.from({ length: W }, (_, rank) => {
      const first = createDistributedSampler(base(48, 12, W, rank));
      const before = Array.from({ length: 6 }, () => first.next()); // epoch 0 and half of epoch 1
      const position = first.position();
      expect(position).toEqual({ epoch: 1, batch: 2 });
      const second = createDistributedSampler({ ...base(48, 12, W, rank), position: JSON.parse(JSON.stringify(position)) });
      return [...before, ...Array.from({ length: 6 }, () => second.next())];
    });
    expect(resumed).toEqual(whole);
    const epoch1 = resumed.flatMap((rank) => rank.filter((s) => s.epoch === 1).flatMap((s) => s.positions));
    expect(epoch1.sort((a, b) => a - b)).toEqual(Array.from({ length: 48 }, (_, i) => i));
  });

  it('moves to the next epoch after the last batch, and a position at an epoch end resumes at the next', () => {
    const sampler = createDistributedSampler(base(24, 12, 2, 0));
    sampler.next();
    sampler.next();
    expect(sampler.position()).toEqual({ epoch: 1, batch: 0 });
    expect(createDistributedSampler({ ...base(24, 12, 2, 0), position: { epoch: 0, batch: 2 } }).position()).toEqual({ epoch: 1, batch: 0 });
  });

  it('refuses a global batch the world size does not divide (a usage error), and bad ranks or positions', () => {
    expect(() => createDistributedSampler(base(48, 10, 3, 0))).toThrow(
      new ConfigError('--batch 10 is not a multiple of the world size 3: each rank takes an equal share of the global batch'),
    );
    expect(() => createDistributedSampler(base(8, 12, 2, 0))).toThrow(new ConfigError('8 training clips, fewer than one global batch of 12'));
    expect(() => createDistributedSampler(base(48, 12, 2, 2))).toThrow(new RangeError('rank: expected 0..1 (world size 2), got 2'));
    expect(() => createDistributedSampler({ ...base(48, 12, 2, 0), position: { epoch: 0, batch: 5 } })).toThrow('position.batch: expected 0..4, got 5');
    const short = createDistributedSampler({ ...base(48, 12, 2, 0), order: () => [1, 2, 3] });
    expect(() => short.share(0, 0)).toThrow('order(0): expected 48 samples, got 3');
  });
});

describe.skipIf(addonProblem() !== undefined)('the training order', () => {
  it("is the loader's: the ranks' shares of batch k, concatenated, are the videos of the loader's batch k", async () => {
    const out = tempDir();
    await makeSynthetic({ out, classes: 3, videosPerClass: 4, frames: 8, size: 24, seed: 5 });
    const dataset = await openDataset(out);
    const loader = createLoader(dataset, { subset: 'training', mode: 'train', batchSize: 4, clipLength: 4, size: 16, seed: SEED, prefetch: 1 });
    const videoOrder: number[][] = [];
    try {
      for (let epoch = 0; epoch < 2; epoch++) for await (const batch of loader) videoOrder.push(Array.from(batch.videoIndex));
    } finally {
      await loader.close();
    }
    const videos = loader.videos.length;
    const samplers = [0, 1].map((rank) =>
      createDistributedSampler({ order: (epoch) => trainOrder(SEED, epoch, videos), samples: videos, globalBatch: 4, worldSize: 2, rank }),
    );
    expect(samplers[0].batchesPerEpoch).toBe(loader.batchesPerEpoch);
    expect(videoOrder).toHaveLength(2 * loader.batchesPerEpoch);
    for (const batch of videoOrder) expect(samplers.flatMap((s) => s.next().samples)).toEqual(batch);
  });
});
