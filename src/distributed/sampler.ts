// The distributed sampler: each rank's disjoint share of every global batch of an epoch's training
// order (PyTorch's DistributedSampler, split by global batch instead of by epoch).
// Global batch k holds positions [kB, (k+1)B) of the epoch's order, as in one process; rank r takes
// its contiguous slice [kB + rB/W, kB + (r+1)B/W). So the ranks' shares of batch k, concatenated in
// rank order, are exactly the single-process batch k, and a clip's random stream, keyed by its
// position (the loader's Rng.from(seed, epoch, position)), is the same whichever rank draws it.
// Like the loader in train mode, the epoch's last incomplete global batch is dropped on every rank.
// Nothing is stateful but the next position, so {epoch, batch} resumes exactly.
import { ConfigError } from '../config/errors.js';

/** Serialisable: the next global batch a sampler hands out. */
export interface SamplerPosition {
  epoch: number;
  batch: number;
}

export interface DistributedSamplerOptions {
  /** the epoch's order of sample indices (src/data/sampler.ts trainOrder for the loader's); every epoch the same length */
  order: (epoch: number) => readonly number[];
  /** samples per epoch: the order's length */
  samples: number;
  /** B: clips per optimiser step over all ranks (`--batch`) */
  globalBatch: number;
  /** W */
  worldSize: number;
  rank: number;
  /** resume here (from position()); default {epoch: 0, batch: 0} */
  position?: SamplerPosition;
}

/** One rank's share of one global batch. */
export interface RankShare {
  epoch: number;
  batch: number;
  /** indices into the epoch's order (the key of each clip's random stream) */
  positions: number[];
  /** the samples at those positions */
  samples: number[];
}

export interface DistributedSampler {
  /** B / W */
  readonly localBatch: number;
  /** full global batches per epoch */
  readonly batchesPerEpoch: number;
  /** this rank's share of global batch `batch` of `epoch` (pure: does not move the position) */
  share(epoch: number, batch: number): RankShare;
  /** the share at position(), then advances (to the next epoch after its last batch) */
  next(): RankShare;
  position(): SamplerPosition;
}

function expectInteger(value: number, what: string, min: number): void {
  if (!Number.isInteger(value) || value < min) throw new RangeError(`${what}: expected an integer >= ${min}, got ${value}`);
}

/**
 * Throws ConfigError (a usage error) when W does not divide B or an epoch holds less than one
 * global batch, RangeError for a rank or position out of range.
 */
export function createDistributedSampler(options: DistributedSamplerOptions): DistributedSampler {
  const { order, samples, globalBatch: B, worldSize: W, rank } = options;
  expectInteger(samples, 'samples', 0);
  expectInteger(B, 'globalBatch', 1);
  expectInteger(W, 'worldSize', 1);
  expectInteger(rank, 'rank', 0);
  if (rank >= W) throw new RangeError(`rank: expected 0..${W - 1} (world size ${W}), got ${rank}`);
  if (B % W !== 0) {
    throw new ConfigError(`--batch ${B} is not a multiple of the world size ${W}: each rank takes an equal share of the global batch`);
  }
  const localBatch = B / W;
  const batchesPerEpoch = Math.floor(samples / B);
  if (batchesPerEpoch === 0) throw new ConfigError(`${samples} training clips, fewer than one global batch of ${B}`);
  let next: SamplerPosition = { ...(options.position ?? { epoch: 0, batch: 0 }) };
  expectInteger(next.epoch, 'position.epoch', 0);
  expectInteger(next.batch, 'position.batch', 0);
  if (next.batch > batchesPerEpoch) throw new RangeError(`position.batch: expected 0..${batchesPerEpoch}, got ${next.batch}`);
  if (next.batch === batchesPerEpoch) next = { epoch: next.epoch + 1, batch: 0 };

  let cached: { epoch: number; order: readonly number[] } | undefined;
  const epochOrder = (epoch: number): readonly number[] => {
    if (cached?.epoch !== epoch) {
      const found = order(epoch);
      if (found.length !== samples) throw new RangeError(`order(${epoch}): expected ${samples} samples, got ${found.length}`);
      cached = { epoch, order: found };
    }
    return cached.order;
  };

  const share = (epoch: number, batch: number): RankShare => {
    expectInteger(epoch, 'epoch', 0);
    expectInteger(batch, 'batch', 0);
    if (batch >= batchesPerEpoch) throw new RangeError(`batch: expected 0..${batchesPerEpoch - 1}, got ${batch}`);
    const start = batch * B + rank * localBatch;
    const positions = Array.from({ length: localBatch }, (_, i) => start + i);
    const o = epochOrder(epoch);
    return { epoch, batch, positions, samples: positions.map((p) => o[p]) };
  };

  return {
    localBatch,
    batchesPerEpoch,
    share,
    next() {
      const s = share(next.epoch, next.batch);
      next = next.batch + 1 === batchesPerEpoch ? { epoch: next.epoch + 1, batch: 0 } : { epoch: next.epoch, batch: next.batch + 1 };
      return s;
    },
    position: () => ({ ...next }),
  };
}
