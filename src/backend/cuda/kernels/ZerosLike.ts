// ZerosLike on the device: a zero-filled tensor of x's shape and dtype (strings and complex fall back).
import { util, ZerosLike } from '@tensorflow/tfjs-core';
import { deviceFill } from '../../../native/device-ops-elementwise.js';
import { deviceDType, deviceKernelConfig, fallBack, newTensor, type DeviceKernelFunc, type Inputs } from './elementwise-util.js';

const zerosLike: DeviceKernelFunc = (args) => {
  const { backend } = args;
  const { x } = args.inputs as unknown as Inputs<'x'>;
  const dtype = deviceDType(x);
  if (dtype === undefined) return fallBack(ZerosLike, args);
  const out = newTensor(backend, x.shape, dtype);
  deviceFill(backend.device, dtype, out.buffer, util.sizeFromShape(x.shape), 0);
  return out.info;
};

export const zerosLikeDeviceConfig = deviceKernelConfig(ZerosLike, zerosLike);
