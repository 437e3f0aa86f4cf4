// Pow on the device, broadcasting (float32 or int32; Math.pow in double, stored in the dtype).
import { Pow } from '@tensorflow/tfjs-core';
import { DeviceBinaryOp } from '../../../native/device-ops-elementwise.js';
import { binaryDeviceKernel } from './elementwise-util.js';

export const powDeviceConfig = binaryDeviceKernel(Pow, DeviceBinaryOp.Pow, { int32: true, bool: false });
