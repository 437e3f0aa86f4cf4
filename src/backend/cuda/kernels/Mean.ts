// Mean on the device over the axes tfjs passes (float32; other dtypes fall back). Contiguous axes use
// the native backend's addon loop (sum in double, then × 1/n); other axis sets tfjs-cpu's (x / n in
// float32, then summed).
import { Mean, util, type MeanAttrs } from '@tensorflow/tfjs-core';
import { DeviceReduceOp } from '../../../native/device-ops-elementwise.js';
import { deviceKernelConfig, fallBack, reduceOnDevice, reducedShape, type DeviceKernelFunc, type Inputs } from './elementwise-util.js';

const mean: DeviceKernelFunc = (args) => {
  const { x } = args.inputs as unknown as Inputs<'x'>;
  const { axis, keepDims } = args.attrs as unknown as MeanAttrs;
  if (x.dtype !== 'float32') return fallBack(Mean, args);
  const axes = util.parseAxisParam(axis, x.shape);
  return reduceOnDevice(args.backend, DeviceReduceOp.Mean, x, axes, reducedShape(x.shape, axes, keepDims), 'float32');
};

export const meanDeviceConfig = deviceKernelConfig(Mean, mean);
