// Softmax on the device along the last axis (float32; tfjs-cpu's max, sub, exp, sum in double, div).
import { Softmax, util, type SoftmaxAttrs } from '@tensorflow/tfjs-core';
import { deviceSoftmax } from '../../../native/device-ops-elementwise.js';
import { bufferOf, deviceKernelConfig, fallBack, newTensor, type DeviceKernelFunc, type Inputs } from './elementwise-util.js';

const softmax: DeviceKernelFunc = (args) => {
  const { backend } = args;
  const { logits } = args.inputs as unknown as Inputs<'logits'>;
  const { dim } = args.attrs as unknown as SoftmaxAttrs;
  const rank = logits.shape.length;
  // other axes: the native (tfjs-cpu) kernel throws its own error
  if (logits.dtype !== 'float32' || rank === 0 || (dim !== -1 && dim !== rank - 1)) return fallBack(Softmax, args);
  const cols = logits.shape[rank - 1]!;
  const size = util.sizeFromShape(logits.shape);
  const out = newTensor(backend, logits.shape, 'float32');
  deviceSoftmax(backend.device, bufferOf(backend, logits), out.buffer, cols === 0 ? 0 : size / cols, cols);
  return out.info;
};

export const softmaxDeviceConfig = deviceKernelConfig(Softmax, softmax);
