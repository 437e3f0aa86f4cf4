// AddN on the device: the inputs summed element by element in order (float32 or int32, one shape).
import { AddN, util, type TensorInfo } from '@tensorflow/tfjs-core';
import { deviceAddN } from '../../../native/device-ops-elementwise.js';
import { bufferOf, deviceKernelConfig, fallBack, newTensor, type DeviceKernelFunc } from './elementwise-util.js';

const addN: DeviceKernelFunc = (args) => {
  const { backend } = args;
  const tensors = args.inputs as unknown as TensorInfo[];
  const first = tensors[0];
  if (!first || (first.dtype !== 'float32' && first.dtype !== 'int32') || tensors.some((t) => t.dtype !== first.dtype || !util.arraysEqual(t.shape, first.shape))) {
    return fallBack(AddN, args);
  }
  const out = newTensor(backend, first.shape, first.dtype);
  deviceAddN(backend.device, first.dtype, tensors.map((t) => bufferOf(backend, t)), out.buffer, util.sizeFromShape(first.shape));
  return out.info;
};

export const addNDeviceConfig = deviceKernelConfig(AddN, addN);
