// MPI collectives over host typed arrays (native/distributed/): Open MPI's libmpi.so.40, loaded by
// the addon with dlopen on the first mpiInit (MNF_MPI_LIBS, LD_LIBRARY_PATH, OPAL_PREFIX/MPI_HOME,
// the lib/ beside mpirun, Debian's folders). Collectives run off the JS thread, one at a time in the
// order they were called; an array handed to one must not be touched until its promise settles.
import { loadAddon } from './addon.js';

export interface MpiInitResult {
  rank: number;
  size: number;
  /** the libmpi file loaded */
  library: string;
}

/** Arrays the collectives gather. */
export type MpiGatherArray = Float32Array | Int32Array;
/** Arrays a broadcast copies (as bytes). */
export type MpiArray = Float32Array | Float64Array | Int32Array | Uint32Array | Uint8Array | Int8Array | Int16Array | Uint16Array;

/** Loads libmpi and initialises MPI (thread level SERIALIZED) once; throws naming what was searched when libmpi is absent. */
export function mpiInit(): MpiInitResult {
  return loadAddon().mpiInit();
}

/** The element-wise sum over every rank, written into `values`. */
export function mpiAllreduceSum(values: Float32Array): Promise<Float32Array> {
  return loadAddon().mpiAllreduceSum(values);
}

/** Every rank's `values` (each the same length), concatenated in rank order. */
export function mpiAllgather<T extends MpiGatherArray>(values: T): Promise<T> {
  return loadAddon().mpiAllgather(values);
}

/**
 * mpiAllreduceSum on the calling thread, which it blocks until every rank called it: for a
 * collective inside a training step's graph (tfjs kernels are synchronous).
 */
export function mpiAllreduceSumNow(values: Float32Array): Float32Array {
  return loadAddon().mpiAllreduceSumNow(values);
}

/** mpiAllgather on the calling thread, which it blocks until every rank called it. */
export function mpiAllgatherNow<T extends MpiGatherArray>(values: T): T {
  return loadAddon().mpiAllgatherNow(values);
}

/** `root`'s bytes copied into `values` on every rank. */
export function mpiBroadcast<T extends MpiArray>(values: T, root: number): Promise<T> {
  return loadAddon().mpiBroadcast(values, root);
}

export function mpiBarrier(): Promise<void> {
  return loadAddon().mpiBarrier();
}

/** Prints `message` as one line on stderr, then MPI_Abort ends every rank with exit `code` (1..255). */
export function mpiAbort(code: number, message: string): never {
  loadAddon().mpiAbort(code, message);
  throw new Error('MPI_Abort returned'); // it does not: the launcher ends the process
}

/** Finalises MPI (a no-op when it was not initialised); throws while collectives are in flight. */
export function mpiFinalize(): void {
  loadAddon().mpiFinalize();
}
