// Sub on the device, broadcasting (float32 or int32).
import { Sub } from '@tensorflow/tfjs-core';
import { DeviceBinaryOp } from '../../../native/device-ops-elementwise.js';
import { binaryDeviceKernel } from './elementwise-util.js';

export const subDeviceConfig = binaryDeviceKernel(Sub, DeviceBinaryOp.Sub, { int32: true, bool: false });
