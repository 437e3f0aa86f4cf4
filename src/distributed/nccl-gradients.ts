// Gradient averaging over NCCL for backend cuda on a GPU: the gradients stay in device memory. Per
// bucket (buckets.ts: DDP's 25 MiB, last registered first) the gradients are flattened on the device,
// all-reduced by one NCCL call enqueued on the device's compute stream, scaled by 1/size and split
// back, all without a host synchronisation. The communicator is bootstrapped over the host
// collectives: rank 0's ncclUniqueId broadcast, then every rank's ncclInit.
// UNVERIFIED: never run against a real NCCL yet (no GPU machine with NCCL has run it).
import type { Tensor } from '@tensorflow/tfjs-core';
import { CudaBackend } from '../backend/cuda/backend.js';
import { NCCL_UNIQUE_ID_BYTES, ncclAllreduceSumDevice, ncclFinalize, ncclInit, ncclProblem, ncclUniqueId } from '../native/nccl.js';
import { tf } from '../tf.js';
import { DEFAULT_BUCKET_BYTES, planBuckets, type Bucket } from './buckets.js';
import type { Collectives } from './collectives.js';

export interface NcclGradientAveraging {
  kind: 'nccl';
  /** "major.minor.patch" of the libnccl loaded */
  version: string;
  /** each gradient's mean over the ranks, as new tensors in the input order (the caller disposes inputs and outputs) */
  average(grads: Tensor[]): Promise<Tensor[]>;
  /** frees the communicator once the device has finished the queued collectives */
  close(): void;
}

export type NcclGradientAverager = NcclGradientAveraging | { kind: 'unavailable'; reason: string };

/** Why this rank's gradients cannot be averaged over NCCL, or undefined. */
function localProblem(): string | undefined {
  const backend = tf.backend();
  if (!(backend instanceof CudaBackend)) return `gradients are on backend '${tf.getBackend()}'; NCCL needs backend cuda`;
  if (backend.device.kind !== 'cuda') return `backend cuda runs on the ${backend.device.kind} device; NCCL needs a CUDA GPU`;
  return ncclProblem();
}

/** The ranks whose `ok` is false (one host allgather: every rank must call it). */
async function ranksFailing(collectives: Collectives, ok: boolean): Promise<number[]> {
  const flags = await collectives.allgather(Int32Array.of(ok ? 1 : 0));
  return Array.from(flags.keys()).filter((rank) => flags[rank] !== 1);
}

function othersFailed(failing: number[]): string {
  return `NCCL is unavailable on rank${failing.length > 1 ? 's' : ''} ${failing.join(', ')} (each rank's own output says why)`;
}

/**
 * NCCL gradient averaging for every rank of `collectives`, or the reason it is unavailable. Every rank
 * must call it, and every rank gets the same kind: when one rank cannot use NCCL, none does.
 */
export async function openNcclGradientAverager(collectives: Collectives, capBytes = DEFAULT_BUCKET_BYTES): Promise<NcclGradientAverager> {
  const problem = localProblem();
  const unable = await ranksFailing(collectives, problem === undefined);
  if (unable.length > 0) return { kind: 'unavailable', reason: problem ?? othersFailed(unable) };
  const backend = tf.backend() as CudaBackend;

  const id = new Uint8Array(NCCL_UNIQUE_ID_BYTES);
  let idProblem: string | undefined;
  if (collectives.rank === 0) {
    try {
      id.set(ncclUniqueId());
    } catch (error) {
      idProblem = (error as Error).message;
    }
  }
  if ((await ranksFailing(collectives, idProblem === undefined)).length > 0) {
    return { kind: 'unavailable', reason: idProblem ?? 'rank 0 could not make an NCCL unique id (its output says why)' };
  }
  await collectives.broadcast(id, 0);

  let version = '';
  let initProblem: string | undefined;
  try {
    version = (await ncclInit(backend.device, id, collectives.rank, collectives.size)).version;
  } catch (error) {
    initProblem = (error as Error).message;
  }
  const failedInit = await ranksFailing(collectives, initProblem === undefined);
  if (failedInit.length > 0) {
    if (initProblem === undefined) ncclFinalize();
    return { kind: 'unavailable', reason: initProblem ?? othersFailed(failedInit) };
  }

  return {
    kind: 'nccl',
    version,
    average: async (grads) => averageOnDevice(backend, grads, collectives.size, capBytes),
    close: ncclFinalize,
  };
}

function expectDeviceGradients(backend: CudaBackend, grads: readonly Tensor[]): void {
  grads.forEach((g, i) => {
    if (g.dtype !== 'float32') throw new TypeError(`grads[${i}]: expected a float32 tensor, got ${g.dtype}`);
    if (g.isDisposed || backend.refCount(g.dataId) === 0) throw new Error(`grads[${i}]: not a live tensor of backend cuda (disposed, or on another backend)`);
  });
}

/** The bucket's gradients as one new flat tensor on the device: a buffer the allreduce may write. */
function flatten(backend: CudaBackend, bucket: Bucket, grads: readonly Tensor[]): Tensor {
  if (bucket.tensors.length > 1) return tf.tidy(() => tf.concat(bucket.tensors.map((i) => tf.reshape(grads[i]!, [-1]))));
  // one gradient: reshape (and concat of one) would share its buffer, so copy it
  const g = grads[bucket.tensors[0]!]!;
  const info = backend.makeTensorInfo([g.size], 'float32');
  backend.device.copy(backend.bufferOf(info.dataId), backend.bufferOf(g.dataId), g.size * Float32Array.BYTES_PER_ELEMENT);
  return tf.engine().makeTensorFromTensorInfo(info, backend);
}

function averageOnDevice(backend: CudaBackend, grads: readonly Tensor[], size: number, capBytes: number): Tensor[] {
  expectDeviceGradients(backend, grads);
  const outputs: Tensor[] = new Array(grads.length);
  try {
    for (const bucket of planBuckets(grads.map((g) => g.size), capBytes)) {
      const flat = flatten(backend, bucket, grads);
      try {
        ncclAllreduceSumDevice(backend.device, backend.bufferToOverwrite(flat.dataId), bucket.size);
        const pieces = tf.tidy(() => {
          const mean = tf.mul(flat, 1 / size);
          const sizes = bucket.tensors.map((i) => grads[i]!.size);
          const parts = sizes.length > 1 ? tf.split(mean, sizes) : [mean];
          return parts.map((part, k) => tf.reshape(part, grads[bucket.tensors[k]!]!.shape));
        });
        bucket.tensors.forEach((index, k) => (outputs[index] = pieces[k]!));
      } finally {
        flat.dispose();
      }
    }
  } catch (error) {
    for (const t of outputs) t?.dispose();
    throw error;
  }
  return outputs;
}
