// Maximum on the device, broadcasting (float32 or int32; Math.max's NaN rule).
import { Maximum } from '@tensorflow/tfjs-core';
import { DeviceBinaryOp } from '../../../native/device-ops-elementwise.js';
import { binaryDeviceKernel } from './elementwise-util.js';

export const maximumDeviceConfig = binaryDeviceKernel(Maximum, DeviceBinaryOp.Maximum, { int32: true, bool: false });
