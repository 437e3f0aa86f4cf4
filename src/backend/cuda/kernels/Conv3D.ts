// Conv3D on the device (NDHWC float32; other layouts and dtypes fall back to the host).
import { backend_util, Conv3D, type Conv3DAttrs } from '@tensorflow/tfjs-core';
import { deviceConv } from '../../../native/device-ops-conv-matmul.js';
import { convGeometry } from '../../native/kernels/conv_util.js';
import { allFloat32, bufferOf, deviceKernelConfig, fallBack, newFloat32, type DeviceKernelFunc, type Inputs } from './conv-matmul-util.js';

const conv3D: DeviceKernelFunc = (args) => {
  const { backend } = args;
  const { x, filter } = args.inputs as unknown as Inputs<'x' | 'filter'>;
  const { strides, pad, dilations, dataFormat } = args.attrs as unknown as Conv3DAttrs;
  if (dataFormat !== 'NDHWC') return fallBack(Conv3D, args);
  const info = backend_util.computeConv3DInfo(x.shape as [number, number, number, number, number],
    filter.shape as [number, number, number, number, number], strides, dilations, pad);
  const g = convGeometry(info);
  if (!g || !allFloat32(x, filter)) return fallBack(Conv3D, args);
  const y = newFloat32(backend, g.yShape);
  deviceConv(backend.device, bufferOf(backend, x), g.xShape, bufferOf(backend, filter), g.filterShape, y.buffer, g.yShape, g.geometry, backend.math);
  return y.info;
};

export const conv3DDeviceConfig = deviceKernelConfig(Conv3D, conv3D);
