// Exp on the device (float32; as tfjs-cpu: Math.exp in double, stored as float32).
import { Exp } from '@tensorflow/tfjs-core';
import { DeviceUnaryOp } from '../../../native/device-ops-elementwise.js';
import { unaryDeviceKernel } from './elementwise-util.js';

export const expDeviceConfig = unaryDeviceKernel(Exp, DeviceUnaryOp.Exp);
