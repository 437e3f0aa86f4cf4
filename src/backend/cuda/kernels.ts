// Backend 'cuda''s device-resident kernels. For now only those that need no device code: Reshape,
// Identity and a same-dtype Cast return the input's buffer under a new shape (the refCount shares it).
import { Cast, Identity, Reshape, util, type CastAttrs, type KernelConfig, type KernelFunc, type ReshapeAttrs, type TensorInfo } from '@tensorflow/tfjs-core';
import { tf } from '../../tf.js';
import { NATIVE_BACKEND } from '../native/backend.js';
import type { CudaBackend } from './backend.js';
import { hostFallback } from './fallback.js';

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

/** The device kernels of backend `backendName` (Cast's other dtypes run the native Cast as a fallback). */
export function deviceKernels(backendName: string): KernelConfig[] {
  const nativeCast = tf.getKernel(Cast, NATIVE_BACKEND);
  const castFallback = nativeCast ? hostFallback(nativeCast) : undefined;
  const cast: KernelFunc = (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const { dtype } = args.attrs as unknown as CastAttrs;
    if (x.dtype === dtype) return share(args.backend as CudaBackend, x, x.shape);
    if (!castFallback) throw new Error(`backend '${backendName}': Cast ${x.dtype} → ${dtype} needs backend 'native' registered first`);
    return castFallback(args);
  };
  return [
    { kernelName: Reshape, backendName, kernelFunc: reshape },
    { kernelName: Identity, backendName, kernelFunc: identity },
    { kernelName: Cast, backendName, kernelFunc: cast },
  ];
}
