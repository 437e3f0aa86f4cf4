// Backend 'cuda''s device-resident kernels: Reshape and Identity return the input's buffer under a
// new shape (the refCount shares it); the families in kernels/ call the device's ops (Cast shares
// the buffer when the dtype does not change).
import { Identity, Reshape, util, type KernelConfig, type KernelFunc, type ReshapeAttrs, type TensorInfo } from '@tensorflow/tfjs-core';
import type { CudaBackend } from './backend.js';
import { convMatMulKernels } from './kernels/conv-matmul.js';
import { castDeviceConfig, elementwiseKernels } from './kernels/elementwise.js';

type KernelArgs = Parameters<KernelFunc>[0];

function share(backend: CudaBackend, x: TensorInfo, shape: number[]): TensorInfo {
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape, dtype: x.dtype };
}

function reshape({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const { x } = inputs as { x: TensorInfo };
  const { shape } = attrs as unknown as ReshapeAttrs;
  // throws when the sizes differ
  const target = util.inferFromImplicitShape(shape, util.sizeFromShape(x.shape));
  return share(backend as CudaBackend, x, target);
}

function identity({ inputs, backend }: KernelArgs): TensorInfo {
  const { x } = inputs as { x: TensorInfo };
  return share(backend as CudaBackend, x, x.shape);
}

/** The device kernels of backend `backendName`; every other kernel runs as a counted host fallback. */
export function deviceKernels(backendName: string): KernelConfig[] {
  return [
    { kernelName: Reshape, backendName, kernelFunc: reshape },
    { kernelName: Identity, backendName, kernelFunc: identity },
    castDeviceConfig(backendName),
    ...convMatMulKernels(backendName),
    ...elementwiseKernels(backendName),
  ];
}
