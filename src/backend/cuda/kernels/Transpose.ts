// Transpose on the device (float32, int32, bool; strings and complex fall back).
import { Transpose, type TransposeAttrs } from '@tensorflow/tfjs-core';
import { deviceTranspose } from '../../../native/device-ops-elementwise.js';
import { bufferOf, deviceDType, deviceKernelConfig, fallBack, newTensor, type DeviceKernelFunc, type Inputs } from './elementwise-util.js';

const transpose: DeviceKernelFunc = (args) => {
  const { backend } = args;
  const { x } = args.inputs as unknown as Inputs<'x'>;
  const { perm } = args.attrs as unknown as TransposeAttrs;
  const dtype = deviceDType(x);
  if (dtype === undefined) return fallBack(Transpose, args);
  const out = newTensor(backend, perm.map((p) => x.shape[p]!), dtype);
  deviceTranspose(backend.device, dtype, bufferOf(backend, x), x.shape, perm, out.buffer);
  return out.info;
};

export const transposeDeviceConfig = deviceKernelConfig(Transpose, transpose);
