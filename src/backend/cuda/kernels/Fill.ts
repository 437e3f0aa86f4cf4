// Fill on the device (float32, int32, bool; strings fall back).
import { Fill, util, type FillAttrs } from '@tensorflow/tfjs-core';
import { deviceFill, isDeviceDType } from '../../../native/device-ops-elementwise.js';
import { deviceKernelConfig, fallBack, newTensor, type DeviceKernelFunc } from './elementwise-util.js';

const fill: DeviceKernelFunc = (args) => {
  const { backend } = args;
  const { shape, value, dtype } = args.attrs as unknown as FillAttrs;
  const $dtype = dtype || util.inferDtype(value);
  if (!isDeviceDType($dtype) || typeof value === 'string') return fallBack(Fill, args);
  const out = newTensor(backend, shape, $dtype);
  deviceFill(backend.device, $dtype, out.buffer, util.sizeFromShape(shape), Number(value));
  return out.info;
};

export const fillDeviceConfig = deviceKernelConfig(Fill, fill);
