// ArgMax on the device along one axis (float32 or int32 → int32; the first maximum, as tfjs-cpu).
import { ArgMax, util, type ArgMaxAttrs } from '@tensorflow/tfjs-core';
import { DeviceReduceOp } from '../../../native/device-ops-elementwise.js';
import { deviceKernelConfig, fallBack, reduceOnDevice, reducedShape, type DeviceKernelFunc, type Inputs } from './elementwise-util.js';

const argMax: DeviceKernelFunc = (args) => {
  const { x } = args.inputs as unknown as Inputs<'x'>;
  const { axis } = args.attrs as unknown as ArgMaxAttrs;
  if ((x.dtype !== 'float32' && x.dtype !== 'int32') || x.shape.length === 0) return fallBack(ArgMax, args);
  // tfjs-cpu reduces the first axis given
  const axes = [util.parseAxisParam(axis, x.shape)[0]!];
  return reduceOnDevice(args.backend, DeviceReduceOp.ArgMax, x, axes, reducedShape(x.shape, axes, false), 'int32');
};

export const argMaxDeviceConfig = deviceKernelConfig(ArgMax, argMax);
