// Equal on the device, broadcasting: bool output (float32 or int32 operands).
import { Equal } from '@tensorflow/tfjs-core';
import { DeviceBinaryOp } from '../../../native/device-ops-elementwise.js';
import { binaryDeviceKernel } from './elementwise-util.js';

export const equalDeviceConfig = binaryDeviceKernel(Equal, DeviceBinaryOp.Equal, { int32: true, bool: true });
