// MnfCscLoss on the device: the loss and both gradients in one op (native/csc/'s CPU code on the
// emulated device). v, z, aSel (B, D) float32, labels (B) int32; other dtypes fall back to the host.
import { deviceCscLoss } from '../../../native/device-ops-conv-matmul.js';
import { CscLoss, type CscLossAttrs, type CscLossInputs } from '../../kernel-names.js';
import { allFloat32, bufferOf, deviceKernelConfig, fallBack, newFloat32, type DeviceKernelFunc } from './conv-matmul-util.js';

const cscLoss: DeviceKernelFunc = (args) => {
  const { backend } = args;
  const { v, z, aSel, labels } = args.inputs as unknown as CscLossInputs;
  const { theta, calibrated } = args.attrs as unknown as CscLossAttrs;
  const [batch, dim] = v.shape as [number, number];
  const shapesFit = v.shape.length === 2 && batch > 0 && dim > 0 && [z, aSel].every((t) => t.shape.length === 2 && t.shape[0] === batch && t.shape[1] === dim) &&
    labels.shape.length === 1 && labels.shape[0] === batch;
  if (!shapesFit || !allFloat32(v, z, aSel) || labels.dtype !== 'int32') return fallBack(CscLoss, args);
  const loss = newFloat32(backend, []);
  const dv = newFloat32(backend, [batch, dim]);
  const dz = newFloat32(backend, [batch, dim]);
  deviceCscLoss(backend.device, bufferOf(backend, v), bufferOf(backend, z), bufferOf(backend, aSel), bufferOf(backend, labels), batch, dim, theta, calibrated,
    loss.buffer, dv.buffer, dz.buffer);
  return [loss.info, dv.info, dz.info];
};

export const cscLossDeviceConfig = deviceKernelConfig(CscLoss, cscLoss);
