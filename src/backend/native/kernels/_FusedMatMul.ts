import { _FusedMatMul, type _FusedMatMulAttrs, type TensorInfo, type KernelConfig } from '@tensorflow/tfjs-core';
import { matMul, MatMulActivation } from '../../../native/kernels.js';
import { planMatMul } from './matmul_util.js';
import { record } from './recorder.js';
import { allFloat32, cpuFallback, f32, output, sizeOf, type Inputs, type KernelArgs } from './util.js';

const ACTIVATIONS: Record<string, MatMulActivation> = {
  linear: MatMulActivation.Linear,
  relu: MatMulActivation.Relu,
  relu6: MatMulActivation.Relu6,
  elu: MatMulActivation.Elu,
  sigmoid: MatMulActivation.Sigmoid,
  leakyrelu: MatMulActivation.LeakyRelu,
};

export function fusedMatMul(args: KernelArgs) {
  const { a, b, bias } = args.inputs as unknown as Inputs<'a' | 'b'> & { bias?: TensorInfo };
  const { transposeA, transposeB, activation, leakyreluAlpha } = args.attrs as unknown as _FusedMatMulAttrs;
  const plan = planMatMul(a, b, transposeA, transposeB);
  const code = ACTIVATIONS[activation ?? 'linear'];
  // bias must be one value per output column ([n], [1, n], ...); prelu and other biases go to the cpu kernel
  const biasFits = !bias || (sizeOf(bias.shape) === plan?.n && bias.shape[bias.shape.length - 1] === plan.n);
  if (!plan || code === undefined || !biasFits || !allFloat32(args.backend, a, b, bias)) return cpuFallback(_FusedMatMul, args);
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
