// Add on the device, broadcasting (float32 or int32).
import { Add } from '@tensorflow/tfjs-core';
import { DeviceBinaryOp } from '../../../native/device-ops-elementwise.js';
import { binaryDeviceKernel } from './elementwise-util.js';

export const addDeviceConfig = binaryDeviceKernel(Add, DeviceBinaryOp.Add, { int32: true, bool: false });
