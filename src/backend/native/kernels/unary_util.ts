// Element-wise unary kernels over float32 tensors; other dtypes use tfjs's cpu kernel.
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { unary, type UnaryOp } from '../../../native/kernels.js';
import { record } from './recorder.js';
import { allFloat32, cpuFallback, f32, output, sizeOf, type KernelArgs } from './util.js';

export function unaryKernel(kernelName: string, op: UnaryOp, alpha?: (attrs: KernelArgs['attrs']) => number): Omit<KernelConfig, 'backendName'> {
  const kernelFunc = (args: KernelArgs) => {
    const { x } = args.inputs as { x: TensorInfo };
    if (!allFloat32(args.backend, x)) return cpuFallback(kernelName, args);
    record({ kind: 'other', kernel: kernelName });
    const out = new Float32Array(sizeOf(x.shape));
    unary(op, f32(args.backend, x), out, alpha ? alpha(args.attrs) : 0);
    return output(args.backend, x.shape, out);
  };
  return { kernelName, kernelFunc } as unknown as Omit<KernelConfig, 'backendName'>;
}
