// Max on the device over the axes tfjs passes (float32 or int32; a NaN wins, as in tfjs-cpu).
import { Max, util, type MaxAttrs } from '@tensorflow/tfjs-core';
import { DeviceReduceOp } from '../../../native/device-ops-elementwise.js';
import { deviceKernelConfig, fallBack, reduceOnDevice, reducedShape, type DeviceKernelFunc, type Inputs } from './elementwise-util.js';

const max: DeviceKernelFunc = (args) => {
  const { x } = args.inputs as unknown as Inputs<'x'>;
  const { reductionIndices, keepDims } = args.attrs as unknown as MaxAttrs;
  if (x.dtype !== 'float32' && x.dtype !== 'int32') return fallBack(Max, args);
  const axes = util.parseAxisParam(reductionIndices, x.shape);
  return reduceOnDevice(args.backend, DeviceReduceOp.Max, x, axes, reducedShape(x.shape, axes, keepDims), x.dtype);
};

export const maxDeviceConfig = deviceKernelConfig(Max, max);
