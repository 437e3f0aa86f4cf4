// OneHot on the device: int32 indices → [...indices.shape, depth] of float32 or int32.
import { OneHot, util, type OneHotAttrs } from '@tensorflow/tfjs-core';
import { deviceOneHot } from '../../../native/device-ops-elementwise.js';
import { bufferOf, deviceKernelConfig, fallBack, newTensor, type DeviceKernelFunc, type Inputs } from './elementwise-util.js';

const oneHot: DeviceKernelFunc = (args) => {
  const { backend } = args;
  const { indices } = args.inputs as unknown as Inputs<'indices'>;
  const { dtype, depth, onValue, offValue } = args.attrs as unknown as OneHotAttrs;
  if (indices.dtype !== 'int32' || (dtype !== 'float32' && dtype !== 'int32')) return fallBack(OneHot, args);
  const size = util.sizeFromShape(indices.shape);
  const out = newTensor(backend, [...indices.shape, depth], dtype);
  deviceOneHot(backend.device, bufferOf(backend, indices), size, depth, onValue, offValue, dtype, out.buffer);
  return out.info;
};

export const oneHotDeviceConfig = deviceKernelConfig(OneHot, oneHot);
