// Floor on the device (float32).
import { Floor } from '@tensorflow/tfjs-core';
import { DeviceUnaryOp } from '../../../native/device-ops-elementwise.js';
import { unaryDeviceKernel } from './elementwise-util.js';

export const floorDeviceConfig = unaryDeviceKernel(Floor, DeviceUnaryOp.Floor);
