// MnfAdamUpdate on the device: one Adam step per parameter of the group, into new buffers, computed
// as the host kernel (src/backend/kernels/MnfAdamUpdate.ts) computes it.
import { util, type TensorInfo } from '@tensorflow/tfjs-core';
import { deviceAdamUpdate } from '../../../native/device-ops-conv-matmul.js';
import { AdamUpdate, adamInputName, type AdamUpdateAttrs } from '../../kernel-names.js';
import { allFloat32, bufferOf, deviceKernelConfig, fallBack, newFloat32, type DeviceKernelFunc } from './conv-matmul-util.js';

const ROLES = ['param', 'grad', 'm', 'v'] as const;

const adamUpdate: DeviceKernelFunc = (args) => {
  const { backend } = args;
  const named = args.inputs as unknown as Record<string, TensorInfo>;
  const hyper = args.attrs as unknown as AdamUpdateAttrs;
  const groups = Array.from({ length: hyper.count }, (_, i) => ROLES.map((role) => named[adamInputName(role, i)]!));
  const fits = groups.every((g) => g.every((t) => t !== undefined && util.sizeFromShape(t.shape) === util.sizeFromShape(g[0]!.shape)) && allFloat32(...g));
  if (!fits) return fallBack(AdamUpdate, args);
  const outputs: TensorInfo[] = [];
  for (const [p, g, m, v] of groups as [TensorInfo, TensorInfo, TensorInfo, TensorInfo][]) {
    const [pOut, mOut, vOut] = [newFloat32(backend, p.shape), newFloat32(backend, p.shape), newFloat32(backend, p.shape)];
    deviceAdamUpdate(backend.device, bufferOf(backend, p), bufferOf(backend, g), bufferOf(backend, m), bufferOf(backend, v), util.sizeFromShape(p.shape),
      hyper, pOut.buffer, mOut.buffer, vOut.buffer);
    outputs.push(pOut.info, mOut.info, vOut.info);
  }
  return outputs;
};

export const adamUpdateDeviceConfig = deviceKernelConfig(AdamUpdate, adamUpdate);
