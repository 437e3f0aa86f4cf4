// Sum / Mean over one contiguous run of axes (leading: batch-norm statistics and broadcast
// gradients; middle: global average pooling) in the addon; other axis sets use tfjs's cpu kernel
// (which transposes the reduced axes to the end first).
import { backend_util, util, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import { reduce, type ReduceOp } from '../../../native/kernels.js';
import { record } from './recorder.js';
import { allFloat32, cpuFallback, f32, output, sizeOf, type KernelArgs } from './util.js';

export function reduceKernel(kernelName: string, op: ReduceOp): Omit<KernelConfig, 'backendName'> {
  const kernelFunc = (args: KernelArgs) => {
    const { x } = args.inputs as { x: TensorInfo };
    const { axis, keepDims } = args.attrs as unknown as { axis: number | number[]; keepDims: boolean };
    if (!allFloat32(args.backend, x) || x.shape.length === 0) return cpuFallback(kernelName, args);
    const axes = util.parseAxisParam(axis, x.shape).sort((p, q) => p - q);
    if (axes.length === 0 || axes.some((v, i) => i > 0 && v !== axes[i - 1]! + 1)) return cpuFallback(kernelName, args);
    const first = axes[0]!;
    const last = axes[axes.length - 1]!;
    const outer = sizeOf(x.shape.slice(0, first));
    const length = sizeOf(x.shape.slice(first, last + 1));
    const inner = sizeOf(x.shape.slice(last + 1));
    if (outer * length * inner === 0) return cpuFallback(kernelName, args);
    const [reducedShape] = backend_util.computeOutAndReduceShapes(x.shape, axes);
    const outShape = keepDims ? backend_util.expandShapeToKeepDim(reducedShape, axes) : reducedShape;
    record({ kind: 'other', kernel: kernelName });
    const out = new Float32Array(outer * inner);
    reduce(op, f32(args.backend, x), out, outer, length, inner);
    return output(args.backend, outShape, out);
  };
  return { kernelName, kernelFunc } as unknown as Omit<KernelConfig, 'backendName'>;
}
