// Neg on the device (float32; the native backend's addon loop).
import { Neg } from '@tensorflow/tfjs-core';
import { DeviceUnaryOp } from '../../../native/device-ops-elementwise.js';
import { unaryDeviceKernel } from './elementwise-util.js';

export const negDeviceConfig = unaryDeviceKernel(Neg, DeviceUnaryOp.Neg);
