// RealDiv on the device, broadcasting (float32; other dtypes fall back).
import { RealDiv } from '@tensorflow/tfjs-core';
import { DeviceBinaryOp } from '../../../native/device-ops-elementwise.js';
import { binaryDeviceKernel } from './elementwise-util.js';

export const realDivDeviceConfig = binaryDeviceKernel(RealDiv, DeviceBinaryOp.Div, { int32: false, bool: false });
