// Multiply on the device, broadcasting (float32 or int32).
import { Multiply } from '@tensorflow/tfjs-core';
import { DeviceBinaryOp } from '../../../native/device-ops-elementwise.js';
import { binaryDeviceKernel } from './elementwise-util.js';

export const multiplyDeviceConfig = binaryDeviceKernel(Multiply, DeviceBinaryOp.Mul, { int32: true, bool: false });
