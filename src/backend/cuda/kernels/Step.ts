// Step on the device (float32; the native backend's addon loop); alpha is the value for x <= 0.
import { Step, type StepAttrs } from '@tensorflow/tfjs-core';
import { DeviceUnaryOp } from '../../../native/device-ops-elementwise.js';
import { unaryDeviceKernel } from './elementwise-util.js';

export const stepDeviceConfig = unaryDeviceKernel(Step, DeviceUnaryOp.Step, (attrs) => [(attrs as unknown as StepAttrs).alpha ?? 0, 0]);
