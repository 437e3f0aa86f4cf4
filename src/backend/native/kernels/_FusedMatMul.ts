import { _FusedMatMul, type _FusedMatMulAttrs, type TensorInfo, type KernelConfig } from '@tensorflow/tfjs-core';
import { matMul } from '../../../native/kernels.js';
import { FUSED_ACTIVATIONS, fusedBiasFits, planMatMul } from './matmul_util.js';
import { record } from './recorder.js';
import { allFloat32, cpuFallback, f32, output, sizeOf, type Inputs, type KernelArgs } from './util.js';

export function fusedMatMul(args: KernelArgs) {
  const { a, b, bias } = args.inputs as unknown as Inputs<'a' | 'b'> & { bias?: TensorInfo };
  const { transposeA, transposeB, activation, leakyreluAlpha } = args.attrs as unknown as _FusedMatMulAttrs;
  const plan = planMatMul(a, b, transposeA, transposeB);
  const code = FUSED_ACTIVATIONS[activation ?? 'linear'];
  if (!plan || code === undefined || !fusedBiasFits(bias, plan) || !allFloat32(args.backend, a, b, bias)) return cpuFallback(_FusedMatMul, args);
  record({ kind: 'matmul', kernel: _FusedMatMul, aShape: plan.aShape, bShape: plan.bShape, transposeA, transposeB });
  const out = new Float32Array(sizeOf(plan.outShape));
  matMul(f32(args.backend, a), plan.aShape, f32(args.backend, b), plan.bShape, out, {
    transposeA,
    transposeB,
    bias: bias ? f32(args.backend, bias) : undefined,
    activation: code,
    leakyAlpha: leakyreluAlpha ?? 0.2,
  });
  return output(args.backend, plan.outShape, out);
}

export const fusedMatMulConfig = { kernelName: _FusedMatMul, kernelFunc: fusedMatMul } as unknown as Omit<KernelConfig, 'backendName'>;
