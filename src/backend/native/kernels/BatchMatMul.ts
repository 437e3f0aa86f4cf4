import { BatchMatMul, type BatchMatMulAttrs, type KernelConfig } from '@tensorflow/tfjs-core';
import { matMul } from '../../../native/kernels.js';
import { planMatMul } from './matmul_util.js';
import { record } from './recorder.js';
import { allFloat32, cpuFallback, f32, output, sizeOf, type Inputs, type KernelArgs } from './util.js';

export function batchMatMul(args: KernelArgs) {
  const { a, b } = args.inputs as unknown as Inputs<'a' | 'b'>;
  const { transposeA, transposeB } = args.attrs as unknown as BatchMatMulAttrs;
  const plan = planMatMul(a, b, transposeA, transposeB);
  if (!plan || !allFloat32(args.backend, a, b)) return cpuFallback(BatchMatMul, args);
  record({ kind: 'matmul', kernel: BatchMatMul, aShape: plan.aShape, bShape: plan.bShape, transposeA, transposeB });
  const out = new Float32Array(sizeOf(plan.outShape));
  matMul(f32(args.backend, a), plan.aShape, f32(args.backend, b), plan.bShape, out, { transposeA, transposeB });
  return output(args.backend, plan.outShape, out);
}

export const batchMatMulConfig = { kernelName: BatchMatMul, kernelFunc: batchMatMul } as unknown as Omit<KernelConfig, 'backendName'>;
