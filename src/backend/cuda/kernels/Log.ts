// Log on the device (float32; as tfjs-cpu: Math.log in double, stored as float32).
import { Log } from '@tensorflow/tfjs-core';
import { DeviceUnaryOp } from '../../../native/device-ops-elementwise.js';
import { unaryDeviceKernel } from './elementwise-util.js';

export const logDeviceConfig = unaryDeviceKernel(Log, DeviceUnaryOp.Log);
