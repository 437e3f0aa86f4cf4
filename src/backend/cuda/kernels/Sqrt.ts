// Sqrt on the device (float32).
import { Sqrt } from '@tensorflow/tfjs-core';
import { DeviceUnaryOp } from '../../../native/device-ops-elementwise.js';
import { unaryDeviceKernel } from './elementwise-util.js';

export const sqrtDeviceConfig = unaryDeviceKernel(Sqrt, DeviceUnaryOp.Sqrt);
