// _FusedMatMul on the device: float32, a bias of one value per output column, activation linear, relu,
// relu6, elu, sigmoid or leakyrelu (as the native kernel fuses them); prelu and other biases fall back.
import { _FusedMatMul, type _FusedMatMulAttrs, type TensorInfo } from '@tensorflow/tfjs-core';
import { deviceMatMul } from '../../../native/device-ops-conv-matmul.js';
import { FUSED_ACTIVATIONS, fusedBiasFits, planMatMul } from '../../native/kernels/matmul_util.js';
import { allFloat32, bufferOf, deviceKernelConfig, fallBack, newFloat32, type DeviceKernelFunc, type Inputs } from './conv-matmul-util.js';

const fusedMatMul: DeviceKernelFunc = (args) => {
  const { backend } = args;
  const { a, b, bias } = args.inputs as unknown as Inputs<'a' | 'b'> & { bias?: TensorInfo };
  const { transposeA, transposeB, activation, leakyreluAlpha } = args.attrs as unknown as _FusedMatMulAttrs;
  const plan = planMatMul(a, b, transposeA, transposeB);
  const code = FUSED_ACTIVATIONS[activation ?? 'linear'];
  if (!plan || code === undefined || !fusedBiasFits(bias, plan) || !allFloat32(a, b, bias)) return fallBack(_FusedMatMul, args);
  const out = newFloat32(backend, plan.outShape);
  deviceMatMul(backend.device, bufferOf(backend, a), plan.aShape, bufferOf(backend, b), plan.bShape, out.buffer, {
    transposeA,
    transposeB,
    bias: bias ? bufferOf(backend, bias) : undefined,
    activation: code,
    leakyAlpha: leakyreluAlpha ?? 0.2,
  }, backend.math);
  return out.info;
};

export const fusedMatMulDeviceConfig = deviceKernelConfig(_FusedMatMul, fusedMatMul);
