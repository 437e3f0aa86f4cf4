// What the trainer needs of a data-parallel job (PyTorch DDP's part): parameters that start as rank
// 0's, gradients averaged over the ranks in buckets before each optimiser step, and the gather
// through which the in-batch losses see the global batch. One process: all of it is the identity.
import type { RankGather } from '../losses/rank-gather.js';
import type { CrossRankSum } from '../models/layers/cross-rank-sum.js';
import { tf } from '../tf.js';
import { allreduceMean, planBuckets, type Bucket } from './buckets.js';
import { openNcclGradientAverager, type NcclGradientAveraging } from './nccl-gradients.js';
import type { Collectives } from './collectives.js';

export interface DataParallel {
  readonly rank: number;
  readonly size: number;
  /** for the CSC over the global batch (undefined: per-rank negatives, --local-csc) */
  readonly across?: RankGather;
  /** SyncBatchNorm's sums over the ranks (--sync-bn; undefined: each rank's own statistics) */
  readonly batchNormSync?: CrossRankSum;
  /** every variable set to rank 0's values */
  broadcastVariables(variables: readonly tf.Variable[]): Promise<void>;
  /** each gradient's mean over the ranks, as new tensors in the same order (the caller disposes both) */
  averageGradients(grads: readonly tf.Tensor[]): Promise<tf.Tensor[]>;
  /**
   * Every rank together, once the backend is chosen: on backend cuda on GPUs, the gradients are
   * averaged by NCCL in device memory from here on. Says what averages them.
   */
  chooseGradientCollectives(): Promise<string>;
  /** at the end of the run (frees NCCL's communicator) */
  close(): void;
}

export interface DataParallelOptions {
  /** keep each rank's CSC negatives to its own share (--local-csc) */
  localCsc?: boolean;
  /** BatchNorm statistics over every rank's share (--sync-bn) */
  syncBn?: boolean;
}

/** The gather of host rows the global-batch losses use, over the job's collectives. */
export function rankGather(collectives: Collectives): RankGather {
  return { rank: collectives.rank, size: collectives.size, gatherNow: (values) => collectives.allgatherNow(values) };
}

/** Host-memory data parallelism over `collectives` (MPI between processes; on GPUs the gradients are read back for it). */
export function hostDataParallel(collectives: Collectives, options: DataParallelOptions = {}): DataParallel {
  let buckets: { sizes: number[]; plan: Bucket[] } | undefined;
  let nccl: NcclGradientAveraging | undefined;
  const planFor = (sizes: number[]): Bucket[] => {
    if (!buckets || buckets.sizes.length !== sizes.length || buckets.sizes.some((s, i) => s !== sizes[i])) buckets = { sizes, plan: planBuckets(sizes) };
    return buckets.plan;
  };
  return {
    rank: collectives.rank,
    size: collectives.size,
    ...(options.localCsc ? {} : { across: rankGather(collectives) }),
    ...(options.syncBn ? { batchNormSync: { size: collectives.size, sumNow: (values: Float32Array) => collectives.allreduceSumNow(values) } } : {}),

    async broadcastVariables(variables) {
      if (collectives.size === 1) return;
      const sizes = variables.map((v) => v.size);
      const flat = new Float32Array(sizes.reduce((a, b) => a + b, 0));
      if (collectives.rank === 0) {
        let offset = 0;
        for (const v of variables) {
          flat.set(v.dataSync() as Float32Array, offset);
          offset += v.size;
        }
      }
      await collectives.broadcast(flat, 0);
      let offset = 0;
      for (const v of variables) {
        const values = flat.subarray(offset, offset + v.size);
        offset += v.size;
        tf.tidy(() => v.assign(tf.tensor(values, v.shape, 'float32')));
      }
    },

    async chooseGradientCollectives() {
      if (collectives.size === 1) return 'none (one process)';
      const found = await openNcclGradientAverager(collectives);
      if (found.kind === 'nccl') {
        nccl = found;
        return `NCCL ${found.version} in device memory`;
      }
      return `MPI in host memory (${found.reason})`;
    },

    close() {
      nccl?.close();
      nccl = undefined;
    },

    async averageGradients(grads) {
      if (collectives.size === 1) return grads.map((g) => tf.clone(g));
      if (nccl) return nccl.average([...grads]);
      const host = grads.map((g) => Float32Array.from(g.dataSync() as Float32Array));
      await allreduceMean(planFor(grads.map((g) => g.size)), host, collectives);
      return host.map((values, i) => tf.tensor(values, grads[i]!.shape, 'float32'));
    },
  };
}
