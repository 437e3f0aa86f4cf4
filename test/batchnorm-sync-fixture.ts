// The fixed batch of the 2-rank SyncBatchNorm test: test/batchnorm-sync-child.ts (each rank its
// half of the rows) and its single-process reference in test/batchnorm-sync.test.ts.
export const ROWS = 16;
export const CHANNELS = 5;

function table(f: (i: number, j: number) => number): Float32Array {
  return Float32Array.from({ length: ROWS * CHANNELS }, (_, k) => f(Math.floor(k / CHANNELS), k % CHANNELS));
}

/** (ROWS, C); the second half sits higher, so the ranks' means differ */
export const input = table((i, j) => Math.sin(1.3 * i + 0.7 * j + 0.1 * i * j) * (1 + 0.3 * j) + 0.5 * j + (i >= ROWS / 2 ? 2 : -1));
export const residual = table((i, j) => 0.4 * Math.cos(0.9 * i - 0.5 * j));
/** the loss is Σ y ⊙ lossWeights */
export const lossWeights = table((i, j) => Math.cos(0.37 * i + 1.1 * j) + 0.2);
export const gamma = Float32Array.from([0.5, 1.5, -1, 2, 1]);
export const beta = Float32Array.from([0.1, -0.2, 0.3, 0, 1]);

/** rank's rows of a (ROWS, C) table (its half of the batch) */
export function rowsOf(values: Float32Array, rank: number, size: number): Float32Array {
  const per = ROWS / size;
  return values.slice(rank * per * CHANNELS, (rank + 1) * per * CHANNELS);
}
