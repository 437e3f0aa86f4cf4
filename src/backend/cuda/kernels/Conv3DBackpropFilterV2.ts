// Conv3DBackpropFilterV2 on the device (NDHWC float32; other cases fall back to the host).
import { backend_util, Conv3DBackpropFilterV2, type Conv3DBackpropFilterV2Attrs } from '@tensorflow/tfjs-core';
import { deviceConvBackpropFilter } from '../../../native/device-ops-conv-matmul.js';
import { convGeometry } from '../../native/kernels/conv_util.js';
import { allFloat32, bufferOf, deviceKernelConfig, fallBack, newFloat32, type DeviceKernelFunc, type Inputs } from './conv-matmul-util.js';

const conv3DBackpropFilterV2: DeviceKernelFunc = (args) => {
  const { backend } = args;
  const { x, dy } = args.inputs as unknown as Inputs<'x' | 'dy'>;
  const { strides, pad, filterShape } = args.attrs as unknown as Conv3DBackpropFilterV2Attrs;
  const info = backend_util.computeConv3DInfo(x.shape as [number, number, number, number, number], filterShape, strides, 1, pad);
  const g = convGeometry(info);
  if (!g || !allFloat32(x, dy) || dy.shape.some((d, i) => d !== g.yShape[i])) return fallBack(Conv3DBackpropFilterV2, args);
  const dFilter = newFloat32(backend, g.filterShape);
  deviceConvBackpropFilter(backend.device, bufferOf(backend, x), g.xShape, bufferOf(backend, dy), g.yShape, dFilter.buffer, g.filterShape, g.geometry, backend.math);
  return dFilter.info;
};

export const conv3DBackpropFilterV2DeviceConfig = deviceKernelConfig(Conv3DBackpropFilterV2, conv3DBackpropFilterV2);
