// Gradient bucketing for the data-parallel allreduce, as PyTorch DDP's Reducer does it: gradients
// are grouped, in reverse registration order (the order backward produces them), into buckets of
// at most `capBytes` of float32; each bucket is flattened into one Float32Array and all-reduced with
// one call, then averaged by the world size and copied back. A gradient larger than the cap gets a
// bucket of its own.

/** DDP's default bucket_cap_mb (25 MiB). */
export const DEFAULT_BUCKET_BYTES = 25 * 1024 * 1024;

export interface Bucket {
  /** indices into the gradient list, in their order in the flat buffer */
  tensors: number[];
  /** each one's element offset in the flat buffer */
  offsets: number[];
  /** elements in the flat buffer */
  size: number;
}

/** What bucketed averaging needs of the collectives (src/distributed/collectives.ts). */
export interface SumAllreducer {
  readonly size: number;
  /** the element-wise sum over ranks, in place */
  allreduceSum(values: Float32Array): Promise<Float32Array>;
}

/** Buckets over gradients of `sizes` elements (registration order), the last registered first. */
export function planBuckets(sizes: readonly number[], capBytes = DEFAULT_BUCKET_BYTES): Bucket[] {
  if (!(capBytes >= 4)) throw new RangeError(`capBytes: expected at least 4 (one float32), got ${capBytes}`);
  const buckets: Bucket[] = [];
  let open: Bucket | undefined;
  for (let i = sizes.length - 1; i >= 0; i--) {
    const size = sizes[i];
    if (!Number.isInteger(size) || size < 0) throw new RangeError(`sizes[${i}]: expected a non-negative integer, got ${size}`);
    if (open && open.tensors.length > 0 && (open.size + size) * 4 > capBytes) open = undefined;
    if (!open) buckets.push((open = { tensors: [], offsets: [], size: 0 }));
    open.tensors.push(i);
    open.offsets.push(open.size);
    open.size += size;
  }
  return buckets;
}

function expectLength(bucket: Bucket, k: number, grads: readonly Float32Array[], sizes: number): void {
  const index = bucket.tensors[k];
  const grad = grads[index];
  if (grad === undefined) throw new RangeError(`gradient ${index}: missing (the bucket plan has more gradients than given)`);
  if (grad.length !== sizes) throw new RangeError(`gradient ${index}: expected ${sizes} elements, got ${grad.length}`);
}

function tensorSize(bucket: Bucket, k: number): number {
  return (k + 1 < bucket.offsets.length ? bucket.offsets[k + 1] : bucket.size) - bucket.offsets[k];
}

/** The bucket's gradients copied into one new Float32Array. */
export function flattenBucket(bucket: Bucket, grads: readonly Float32Array[]): Float32Array {
  const flat = new Float32Array(bucket.size);
  bucket.tensors.forEach((index, k) => {
    expectLength(bucket, k, grads, tensorSize(bucket, k));
    flat.set(grads[index], bucket.offsets[k]);
  });
  return flat;
}

/** Copies `flat` back into the bucket's gradients, each scaled by `scale`. */
export function unflattenBucket(bucket: Bucket, flat: Float32Array, grads: readonly Float32Array[], scale = 1): void {
  if (flat.length !== bucket.size) throw new RangeError(`flat: expected ${bucket.size} elements, got ${flat.length}`);
  bucket.tensors.forEach((index, k) => {
    const size = tensorSize(bucket, k);
    expectLength(bucket, k, grads, size);
    const grad = grads[index];
    const offset = bucket.offsets[k];
    if (scale === 1) grad.set(flat.subarray(offset, offset + size));
    else for (let i = 0; i < size; i++) grad[i] = flat[offset + i] * scale;
  });
}

/**
 * Replaces every gradient by its mean over the ranks: one allreduce per bucket, all issued before
 * the first is awaited (the collectives run them in this order, the same on every rank).
 */
export async function allreduceMean(buckets: readonly Bucket[], grads: readonly Float32Array[], collectives: SumAllreducer): Promise<void> {
  const flats = buckets.map((bucket) => flattenBucket(bucket, grads));
  const sums = flats.map((flat) => collectives.allreduceSum(flat));
  const scale = 1 / collectives.size;
  for (let b = 0; b < buckets.length; b++) unflattenBucket(buckets[b], await sums[b], grads, scale);
}
