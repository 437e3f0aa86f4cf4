// MnfAdamUpdate on the device: the Adam step of every parameter of the group in one device op (one
// CUDA launch), into the given out buffers or new ones, computed as the host kernel
// (src/backend/kernels/MnfAdamUpdate.ts) computes it.
import { util, type TensorInfo } from '@tensorflow/tfjs-core';
import { deviceAdamUpdateGroup, type DeviceAdamTensor } from '../../../native/device-ops-conv-matmul.js';
import { AdamUpdate, adamInputName, type AdamUpdateAttrs } from '../../kernel-names.js';
import { allFloat32, bufferOf, deviceKernelConfig, fallBack, newFloat32, type DeviceKernelFunc } from './conv-matmul-util.js';

const ROLES = ['param', 'grad', 'm', 'v'] as const;
const OUT_ROLES = ['paramOut', 'mOut', 'vOut'] as const;

const adamUpdate: DeviceKernelFunc = (args) => {
  const { backend } = args;
  const named = args.inputs as unknown as Record<string, TensorInfo>;
  const hyper = args.attrs as unknown as AdamUpdateAttrs;
  const groups = Array.from({ length: hyper.count }, (_, i) => ROLES.map((role) => named[adamInputName(role, i)]!));
  const fits = groups.every((g) => g.every((t) => t !== undefined && util.sizeFromShape(t.shape) === util.sizeFromShape(g[0]!.shape)) && allFloat32(...g));
  if (!fits) return fallBack(AdamUpdate, args);
  const outputs: TensorInfo[] = [];
  const tensors: DeviceAdamTensor[] = groups.map(([p, g, m, v], i) => {
    const size = util.sizeFromShape(p!.shape);
    const given = OUT_ROLES.map((role) => named[adamInputName(role, i)]);
    // the out buffers, when given, are written and returned; else new buffers
    const outs = given.every((o) => o !== undefined && o.dtype === 'float32' && util.sizeFromShape(o.shape) === size)
      ? given.map((o) => {
          backend.incRef(o!.dataId);
          return { info: { dataId: o!.dataId, shape: p!.shape, dtype: 'float32' as const }, buffer: backend.bufferToOverwrite(o!.dataId) };
        })
      : OUT_ROLES.map(() => newFloat32(backend, p!.shape));
    outputs.push(...outs.map((o) => o.info));
    return {
      param: bufferOf(backend, p!),
      grad: bufferOf(backend, g!),
      m: bufferOf(backend, m!),
      v: bufferOf(backend, v!),
      paramOut: outs[0]!.buffer,
      mOut: outs[1]!.buffer,
      vOut: outs[2]!.buffer,
      count: size,
    };
  });
  deviceAdamUpdateGroup(backend.device, tensors, hyper);
  return outputs;
};

export const adamUpdateDeviceConfig = deviceKernelConfig(AdamUpdate, adamUpdate);
