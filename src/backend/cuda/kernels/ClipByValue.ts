// ClipByValue on the device (float32; tfjs-cpu's comparisons against the attributes as doubles).
import { ClipByValue, type ClipByValueAttrs } from '@tensorflow/tfjs-core';
import { DeviceUnaryOp } from '../../../native/device-ops-elementwise.js';
import { unaryDeviceKernel } from './elementwise-util.js';

export const clipByValueDeviceConfig = unaryDeviceKernel(ClipByValue, DeviceUnaryOp.Clip, (attrs) => {
  const { clipValueMin, clipValueMax } = attrs as unknown as ClipByValueAttrs;
  return [clipValueMin, clipValueMax];
});
