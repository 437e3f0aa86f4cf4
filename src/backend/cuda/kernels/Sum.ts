// Sum on the device over the axes tfjs passes: float32 → float32, int32 → int32 (bool falls back).
// Contiguous float32 axes use the native backend's addon loop, other axis sets tfjs-cpu's order.
import { Sum, util, type SumAttrs } from '@tensorflow/tfjs-core';
import { DeviceReduceOp } from '../../../native/device-ops-elementwise.js';
import { deviceKernelConfig, fallBack, reduceOnDevice, reducedShape, type DeviceKernelFunc, type Inputs } from './elementwise-util.js';

const sum: DeviceKernelFunc = (args) => {
  const { x } = args.inputs as unknown as Inputs<'x'>;
  const { axis, keepDims } = args.attrs as unknown as SumAttrs;
  if (x.dtype !== 'float32' && x.dtype !== 'int32') return fallBack(Sum, args);
  const axes = util.parseAxisParam(axis, x.shape);
  return reduceOnDevice(args.backend, DeviceReduceOp.Sum, x, axes, reducedShape(x.shape, axes, keepDims), x.dtype);
};

export const sumDeviceConfig = deviceKernelConfig(Sum, sum);
