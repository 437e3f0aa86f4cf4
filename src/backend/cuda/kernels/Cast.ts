// Cast on the device between float32, int32 and bool (as tfjs-cpu converts: int32 truncates, bool is
// x !== 0); the same dtype shares the input's buffer; strings and complex fall back.
import { Cast, util, type CastAttrs } from '@tensorflow/tfjs-core';
import { deviceCast, isDeviceDType } from '../../../native/device-ops-elementwise.js';
import { bufferOf, deviceDType, deviceKernelConfig, fallBack, newTensor, type DeviceKernelFunc, type Inputs } from './elementwise-util.js';

const cast: DeviceKernelFunc = (args) => {
  const { backend } = args;
  const { x } = args.inputs as unknown as Inputs<'x'>;
  const { dtype } = args.attrs as unknown as CastAttrs;
  if (x.dtype === dtype) {
    backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype };
  }
  const from = deviceDType(x);
  if (from === undefined || !isDeviceDType(dtype)) return fallBack(Cast, args);
  const out = newTensor(backend, x.shape, dtype);
  deviceCast(backend.device, from, bufferOf(backend, x), dtype, out.buffer, util.sizeFromShape(x.shape));
  return out.info;
};

export const castDeviceConfig = deviceKernelConfig(Cast, cast);
