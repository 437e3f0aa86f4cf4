// Backend cuda's clip target for the loader: each batch's clips are decoded into a fresh buffer of
// the backend's device (the CUDA transform on the GPU, the CPU one on the emulated device;
// native/device/ops_clips.cc) and adopted as a tensor, so no step copies clips from the host.
import type { Tensor5D } from '@tensorflow/tfjs-core';
import type { ClipTarget } from '../../data/loader.js';
import { deviceClipsBytes, deviceDecodeClips, type DeviceClipsRequest } from '../../native/device-clips.js';
import { deviceCopyBlock } from '../../native/device-ops-elementwise.js';
import { tf } from '../../tf.js';
import type { CudaBackend } from './backend.js';
import { CUDA_BACKEND, cudaBackend } from './register.js';

/** The clip target of `backend`: tensors of that backend, decoded into its device's buffers. */
export function cudaClipTarget(backend: CudaBackend): ClipTarget {
  const adopt = (buffer: number, shape: number[]): Tensor5D => tf.engine().makeTensorFromTensorInfo(backend.adoptBuffer(buffer, shape, 'float32'), backend) as Tensor5D;

  return {
    async decode(request: DeviceClipsRequest) {
      const batch = request.paths.length;
      const shape = [batch, request.frames.length / batch, request.size, request.size, 3];
      const buffer = backend.device.alloc(deviceClipsBytes(request));
      let faults: (string | null)[];
      try {
        faults = await deviceDecodeClips(backend.device, buffer, request);
      } catch (err) {
        backend.device.free(buffer);
        throw err;
      }
      return { faults, clips: adopt(buffer, shape) };
    },

    keep(clips: Tensor5D, rows: number[]): Tensor5D {
      const [batch, ...clipShape] = clips.shape;
      const clipFloats = clipShape.reduce((a, b) => a * b, 1);
      const buffer = backend.device.alloc(rows.length * clipFloats * Float32Array.BYTES_PER_ELEMENT);
      try {
        // each clip is one contiguous run of floats: one [1, clipFloats] block of a single-row view
        const src = { buffer: backend.bufferOf(clips.dataId), rowLength: batch * clipFloats };
        rows.forEach((row, i) =>
          deviceCopyBlock(backend.device, 'float32', { ...src, offset: row * clipFloats }, { buffer, rowLength: rows.length * clipFloats, offset: i * clipFloats }, 1, clipFloats),
        );
      } catch (err) {
        backend.device.free(buffer);
        throw err;
      }
      clips.dispose();
      return adopt(buffer, [rows.length, ...clipShape]);
    },
  };
}

/** The current backend's clip target when it is 'cuda', else undefined (host backends decode to host memory). */
export function currentClipTarget(): ClipTarget | undefined {
  const backend = cudaBackend();
  return backend && tf.engine().backendName === CUDA_BACKEND ? cudaClipTarget(backend) : undefined;
}
