// Element-wise binary kernels: same shape, scalar, or a vector along the last axis (bias, batch
// norm's per-channel scale/shift) run in the addon; other broadcasts use tfjs's cpu kernel.
import { backend_util, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import { binary, Broadcast, type BinaryOp } from '../../../native/kernels.js';
import { record } from './recorder.js';
import { allFloat32, cpuFallback, f32, output, sizeOf, type KernelArgs } from './util.js';

/** True when `small` (left-padded with 1s) is 1 everywhere but its last dim, which equals out's. */
function isLastAxisRow(small: number[], out: number[]): boolean {
  const last = out[out.length - 1];
  if (small.length === 0 || small[small.length - 1] !== last) return false;
  return small.slice(0, -1).every((d) => d === 1);
}

function broadcastMode(a: TensorInfo, b: TensorInfo, out: number[]): Broadcast | undefined {
  const n = sizeOf(out);
  const na = sizeOf(a.shape);
  const nb = sizeOf(b.shape);
  if (na === n && nb === n) return Broadcast.Same;
  if (na === n && nb === 1) return Broadcast.ScalarB;
  if (na === 1 && nb === n) return Broadcast.ScalarA;
  if (na === n && isLastAxisRow(b.shape, out)) return Broadcast.RowB;
  if (nb === n && isLastAxisRow(a.shape, out)) return Broadcast.RowA;
  return undefined;
}

export function binaryKernel(kernelName: string, op: BinaryOp): Omit<KernelConfig, 'backendName'> {
  const kernelFunc = (args: KernelArgs) => {
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    if (!allFloat32(args.backend, a, b)) return cpuFallback(kernelName, args);
    const outShape = backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
    const mode = broadcastMode(a, b, outShape);
    const n = sizeOf(outShape);
    if (mode === undefined || n === 0) return cpuFallback(kernelName, args);
    record({ kind: 'other', kernel: kernelName });
    const out = new Float32Array(n);
    binary(op, mode, f32(args.backend, a), f32(args.backend, b), out, outShape[outShape.length - 1] ?? 1);
    return output(args.backend, outShape, out);
  };
  return { kernelName, kernelFunc } as unknown as Omit<KernelConfig, 'backendName'>;
}
