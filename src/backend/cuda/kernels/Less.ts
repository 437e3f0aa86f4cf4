// Less on the device, broadcasting: bool output (float32 or int32 operands).
import { Less } from '@tensorflow/tfjs-core';
import { DeviceBinaryOp } from '../../../native/device-ops-elementwise.js';
import { binaryDeviceKernel } from './elementwise-util.js';

export const lessDeviceConfig = binaryDeviceKernel(Less, DeviceBinaryOp.Less, { int32: true, bool: true });
