// Abs on the device (float32; as tfjs-cpu: Math.abs).
import { Abs } from '@tensorflow/tfjs-core';
import { DeviceUnaryOp } from '../../../native/device-ops-elementwise.js';
import { unaryDeviceKernel } from './elementwise-util.js';

export const absDeviceConfig = unaryDeviceKernel(Abs, DeviceUnaryOp.Abs);
