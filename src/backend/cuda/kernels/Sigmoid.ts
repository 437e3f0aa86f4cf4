// Sigmoid on the device (float32; the native backend's addon loop).
import { Sigmoid } from '@tensorflow/tfjs-core';
import { DeviceUnaryOp } from '../../../native/device-ops-elementwise.js';
import { unaryDeviceKernel } from './elementwise-util.js';

export const sigmoidDeviceConfig = unaryDeviceKernel(Sigmoid, DeviceUnaryOp.Sigmoid);
