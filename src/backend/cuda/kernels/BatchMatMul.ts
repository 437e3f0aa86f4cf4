// BatchMatMul on the device (float32, batch dims equal or broadcast from 1; other cases fall back to the host).
import { BatchMatMul, type BatchMatMulAttrs } from '@tensorflow/tfjs-core';
import { deviceMatMul } from '../../../native/device-ops-conv-matmul.js';
import { MatMulActivation } from '../../../native/kernels.js';
import { planMatMul } from '../../native/kernels/matmul_util.js';
import { allFloat32, bufferOf, deviceKernelConfig, fallBack, newFloat32, type DeviceKernelFunc, type Inputs } from './conv-matmul-util.js';

const batchMatMul: DeviceKernelFunc = (args) => {
  const { backend } = args;
  const { a, b } = args.inputs as unknown as Inputs<'a' | 'b'>;
  const { transposeA, transposeB } = args.attrs as unknown as BatchMatMulAttrs;
  const plan = planMatMul(a, b, transposeA, transposeB);
  if (!plan || !allFloat32(a, b)) return fallBack(BatchMatMul, args);
  const out = newFloat32(backend, plan.outShape);
  deviceMatMul(backend.device, bufferOf(backend, a), plan.aShape, bufferOf(backend, b), plan.bShape, out.buffer, {
    transposeA,
    transposeB,
    activation: MatMulActivation.Linear,
    leakyAlpha: 0,
  }, backend.math);
  return out.info;
};

export const batchMatMulDeviceConfig = deviceKernelConfig(BatchMatMul, batchMatMul);
