// The collective operations data-parallel training calls, over host typed arrays: MPI's when the
// world has several processes (src/native/mpi.ts), and their one-process equivalents otherwise, so
// the caller never asks which it has. Every rank must issue the same calls in the same order.
import { writeSync } from 'node:fs';
import { mpiAbort, mpiAllgather, mpiAllgatherNow, mpiAllreduceSum, mpiAllreduceSumNow, mpiBarrier, mpiBroadcast, mpiFinalize, type MpiArray, type MpiGatherArray } from '../native/mpi.js';
import { joinWorld, type World } from './world.js';

export type { MpiArray, MpiGatherArray };

export interface Collectives {
  readonly rank: number;
  readonly size: number;
  /** the element-wise sum over ranks, written into `values` (resolves with it) */
  allreduceSum(values: Float32Array): Promise<Float32Array>;
  /** every rank's `values` (each the same length) in a new array, in rank order */
  allgather<T extends MpiGatherArray>(values: T): Promise<T>;
  /**
   * allreduceSum and allgather on the calling thread, which they block until every rank called
   * them (in their place among the calls issued before): for a collective inside a training
   * step's graph (the CSC over the global batch, SyncBatchNorm's statistics).
   */
  allreduceSumNow(values: Float32Array): Float32Array;
  allgatherNow<T extends MpiGatherArray>(values: T): T;
  /** `root`'s values copied into `values` on every rank (resolves with it) */
  broadcast<T extends MpiArray>(values: T, root: number): Promise<T>;
  barrier(): Promise<void>;
  /** ends every rank at once: one line on stderr naming this rank and `message`, exit code 1 */
  abort(message: string): never;
  /** at a clean end, after the last collective settled */
  finalize(): void;
}

/**
 * Every rank's `value` (plain JSON data), rank order: one gather of the UTF-8 lengths, one of the
 * UTF-8 text padded to the longest.
 */
export async function allgatherJson<T>(collectives: Collectives, value: T): Promise<T[]> {
  if (collectives.size === 1) return [value];
  const bytes = new TextEncoder().encode(JSON.stringify(value));
  const lengths = await collectives.allgather(Int32Array.of(bytes.length));
  const slot = 4 * Math.ceil(Math.max(...lengths) / 4);
  const padded = new Uint8Array(slot);
  padded.set(bytes);
  const all = await collectives.allgather(new Int32Array(padded.buffer));
  const allBytes = new Uint8Array(all.buffer, all.byteOffset, all.byteLength);
  const decoder = new TextDecoder();
  return Array.from(lengths, (length, r) => JSON.parse(decoder.decode(allBytes.subarray(r * slot, r * slot + length))) as T);
}

/** The one line an abort prints: the rank and the first line of the reason. */
export function abortLine(rank: number, size: number, message: string): string {
  return `mnf-tui: rank ${rank} of ${size} failed: ${message.split('\n')[0]}`;
}

export function singleProcessCollectives(): Collectives {
  return {
    rank: 0,
    size: 1,
    allreduceSum: async (values) => values,
    allgather: async (values) => values.slice() as typeof values,
    allreduceSumNow: (values) => values,
    allgatherNow: (values) => values.slice() as typeof values,
    async broadcast(values, root) {
      if (root !== 0) throw new RangeError(`root: expected a rank in 0..0, got ${root}`);
      return values;
    },
    barrier: async () => undefined,
    abort(message) {
      writeSync(2, abortLine(0, 1, message) + '\n');
      process.exit(1);
    },
    finalize: () => undefined,
  };
}

/** MPI's collectives for a world that joinWorld() started (size > 1). */
export function mpiCollectives(world: World): Collectives {
  const { rank, size } = world;
  return {
    rank,
    size,
    allreduceSum: mpiAllreduceSum,
    allgather: mpiAllgather,
    allreduceSumNow: mpiAllreduceSumNow,
    allgatherNow: mpiAllgatherNow,
    broadcast: mpiBroadcast,
    barrier: mpiBarrier,
    abort: (message) => mpiAbort(1, abortLine(rank, size, message)),
    finalize: mpiFinalize,
  };
}

/** The collectives of this process's world (joinWorld: MPI only under a launcher of several processes). */
export function openCollectives(world: World = joinWorld()): Collectives {
  return world.size > 1 ? mpiCollectives(world) : singleProcessCollectives();
}
