// Rsqrt on the device (float32; as tfjs-cpu: 1 / Math.sqrt in double, stored as float32).
import { Rsqrt } from '@tensorflow/tfjs-core';
import { DeviceUnaryOp } from '../../../native/device-ops-elementwise.js';
import { unaryDeviceKernel } from './elementwise-util.js';

export const rsqrtDeviceConfig = unaryDeviceKernel(Rsqrt, DeviceUnaryOp.Rsqrt);
