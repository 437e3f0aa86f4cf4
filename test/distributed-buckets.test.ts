// Gradient bucketing: boundaries under the cap in reverse registration order, the flatten/unflatten
// round trip, and one allreduce per bucket averaged by the world size.
import { describe, expect, it } from 'vitest';
import { allreduceMean, DEFAULT_BUCKET_BYTES, flattenBucket, planBuckets, unflattenBucket, type SumAllreducer } from '../src/distributed/buckets.js';

const grads = (sizes: number[], fill: (t: number, i: number) => number) => sizes.map((n, t) => Float32Array.from({ length: n }, (_, i) => fill(t, i)));

describe('planBuckets', () => {
  it('fills buckets last-registered first, closing one before it would pass the cap', () => {
    // cap 40 bytes = 10 floats
    const buckets = planBuckets([4, 3, 5, 2, 6], 40);
    expect(buckets.map((b) => b.tensors)).toEqual([[4, 3], [2, 1], [0]]);
    expect(buckets.map((b) => b.offsets)).toEqual([[0, 6], [0, 5], [0]]);
    expect(buckets.map((b) => b.size)).toEqual([8, 8, 4]);
  });

  it('a bucket may be exactly the cap; a gradient larger than the cap gets a bucket of its own', () => {
    expect(planBuckets([5, 5], 40).map((b) => b.tensors)).toEqual([[1, 0]]);
    expect(planBuckets([2, 30, 3], 40).map((b) => b.tensors)).toEqual([[2], [1], [0]]);
  });

  it('defaults to 25 MiB: a model of 1-MiB gradients makes buckets of 25', () => {
    expect(DEFAULT_BUCKET_BYTES).toBe(25 * 1024 * 1024);
    const buckets = planBuckets(new Array(60).fill(262_144)); // 60 × 1 MiB of float32
    expect(buckets.map((b) => b.tensors.length)).toEqual([25, 25, 10]);
    expect(buckets[0].tensors[0]).toBe(59);
  });

  it('rejects sizes that are not element counts, and a cap under one float', () => {
    expect(() => planBuckets([3, -1])).toThrow('sizes[1]: expected a non-negative integer, got -1');
    expect(() => planBuckets([3], 2)).toThrow('capBytes: expected at least 4 (one float32), got 2');
  });
});

describe('flatten and unflatten', () => {
  it('round-trip every gradient through its bucket, in the bucket order', () => {
    const sizes = [4, 3, 5, 2, 6];
    const original = grads(sizes, (t, i) => 10 * t + i);
    const buckets = planBuckets(sizes, 40);
    const flat = flattenBucket(buckets[0], original);
    expect(Array.from(flat)).toEqual([40, 41, 42, 43, 44, 45, 30, 31]);
    const restored = grads(sizes, () => 0);
    for (const b of buckets) unflattenBucket(b, flattenBucket(b, original), restored);
    expect(restored).toEqual(original);
  });

  it('scales on the way back, and checks lengths', () => {
    const [bucket] = planBuckets([2, 2], 1024);
    const target = grads([2, 2], () => 0);
    unflattenBucket(bucket, Float32Array.from([2, 4, 6, 8]), target, 0.5);
    expect(target.map((g) => Array.from(g))).toEqual([[3, 4], [1, 2]]);
    expect(() => unflattenBucket(bucket, new Float32Array(3), target)).toThrow('flat: expected 4 elements, got 3');
    expect(() => flattenBucket(bucket, grads([2, 3], () => 0))).toThrow('gradient 1: expected 2 elements, got 3');
    expect(() => flattenBucket(bucket, grads([2], () => 0))).toThrow('gradient 1: missing');
  });
});

describe('allreduceMean', () => {
  /** W ranks simulated: each call adds the other ranks' copies (rank r holds (r + 1) × the values). */
  function fakeRanks(W: number): SumAllreducer & { calls: number[] } {
    const calls: number[] = [];
    return {
      size: W,
      calls,
      allreduceSum: async (values) => {
        calls.push(values.length);
        const total = (W * (W + 1)) / 2; // Σ (r + 1)
        for (let i = 0; i < values.length; i++) values[i] *= total;
        return values;
      },
    };
  }

  it('makes one allreduce call per bucket and leaves each gradient the mean over ranks', async () => {
    const sizes = [4, 3, 5, 2, 6];
    const buckets = planBuckets(sizes, 40);
    const local = grads(sizes, (t, i) => t + i);
    const ranks = fakeRanks(4);
    await allreduceMean(buckets, local, ranks);
    expect(ranks.calls).toEqual([8, 8, 4]);
    // mean of (r + 1) × x over r = 0..3 is 2.5 x
    expect(local).toEqual(grads(sizes, (t, i) => 2.5 * (t + i)));
  });
});
