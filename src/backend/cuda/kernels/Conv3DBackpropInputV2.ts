// Conv3DBackpropInputV2 on the device (NDHWC float32; other cases fall back to the host).
import { backend_util, Conv3DBackpropInputV2, type Conv3DBackpropInputV2Attrs } from '@tensorflow/tfjs-core';
import { deviceConvBackpropInput } from '../../../native/device-ops-conv-matmul.js';
import { convGeometry } from '../../native/kernels/conv_util.js';
import { allFloat32, bufferOf, deviceKernelConfig, fallBack, newFloat32, type DeviceKernelFunc, type Inputs } from './conv-matmul-util.js';

const conv3DBackpropInputV2: DeviceKernelFunc = (args) => {
  const { backend } = args;
  const { dy, filter } = args.inputs as unknown as Inputs<'dy' | 'filter'>;
  const { inputShape, strides, pad } = args.attrs as unknown as Conv3DBackpropInputV2Attrs;
  const info = backend_util.computeConv3DInfo(inputShape, filter.shape as [number, number, number, number, number], strides, 1, pad);
  const g = convGeometry(info);
  if (!g || !allFloat32(dy, filter) || dy.shape.some((d, i) => d !== g.yShape[i])) return fallBack(Conv3DBackpropInputV2, args);
  const dx = newFloat32(backend, g.xShape);
  deviceConvBackpropInput(backend.device, bufferOf(backend, dy), g.yShape, bufferOf(backend, filter), g.filterShape, dx.buffer, g.xShape, g.geometry, backend.math);
  return dx.info;
};

export const conv3DBackpropInputV2DeviceConfig = deviceKernelConfig(Conv3DBackpropInputV2, conv3DBackpropInputV2);
