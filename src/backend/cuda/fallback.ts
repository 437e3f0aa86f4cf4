// Host fallbacks for backend 'cuda': a kernel registered for 'native' that 'cuda' has no device kernel
// for runs on the backend's private NativeBackend: inputs copied device → host, the native kernel run
// there, outputs copied host → device, the host tensors disposed. Each call is counted per kernel name.
import type { DataId, KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { tf } from '../../tf.js';
import { NATIVE_BACKEND } from '../native/backend.js';
import type { CudaBackend } from './backend.js';

type KernelArgs = Parameters<KernelFunc>[0];

/** The host kernel `hostKernel` run for backend 'cuda' through copies (counted as a fallback). */
export function hostFallback(hostKernel: KernelConfig): KernelFunc {
  const { kernelName } = hostKernel;
  return ({ inputs, backend, attrs }: KernelArgs) => {
    const cuda = backend as CudaBackend;
    const host = cuda.host;
    cuda.countFallback(kernelName);
    const hostInputsOf = new Map<DataId, TensorInfo>();
    const hostIds: DataId[] = [];
    const toHost = (t: TensorInfo | undefined): TensorInfo | undefined => {
      if (t == null) return t;
      const dataId = host.write(cuda.hostValues(t.dataId), t.shape, t.dtype);
      hostIds.push(dataId);
      hostInputsOf.set(dataId, t);
      return { dataId, shape: t.shape, dtype: t.dtype };
    };
    // Concat, AddN and the like take their inputs as an array
    const hostInputs = Array.isArray(inputs)
      ? (inputs as TensorInfo[]).map(toHost)
      : Object.fromEntries(Object.entries(inputs).map(([name, t]) => [name, toHost(t)]));

    try {
      const result = hostKernel.kernelFunc({ inputs: hostInputs as KernelArgs['inputs'], backend: host, attrs: attrs as NamedAttrMap });
      const outputs = Array.isArray(result) ? result : [result];
      const onDevice = outputs.map((out): TensorInfo => {
        hostIds.push(out.dataId);
        const input = hostInputsOf.get(out.dataId);
        // a kernel that returns its input (Identity, lossless Cast) shares the device buffer when the dtype is the same
        if (input !== undefined && input.dtype === out.dtype) {
          cuda.incRef(input.dataId);
          return { dataId: input.dataId, shape: out.shape, dtype: out.dtype };
        }
        return { dataId: cuda.write(host.readSync(out.dataId), out.shape, out.dtype), shape: out.shape, dtype: out.dtype };
      });
      return Array.isArray(result) ? onDevice : onDevice[0]!;
    } finally {
      for (const dataId of hostIds) host.disposeData(dataId, true);
    }
  };
}

/**
 * Registers for backend `backendName` a host fallback of every kernel registered for 'native' that it
 * has no kernel for yet (run again after more native kernels are registered: it only adds).
 * Returns the names it registered.
 */
export function registerHostFallbacks(backendName: string): string[] {
  const added: string[] = [];
  for (const kernel of tf.getKernelsForBackend(NATIVE_BACKEND)) {
    if (tf.getKernel(kernel.kernelName, backendName) !== undefined) continue;
    tf.registerKernel({ kernelName: kernel.kernelName, backendName, kernelFunc: hostFallback(kernel) });
    added.push(kernel.kernelName);
  }
  return added;
}
