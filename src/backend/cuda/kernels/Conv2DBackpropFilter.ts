// Conv2DBackpropFilter on the device (NHWC float32; other cases fall back to the host).
import { backend_util, Conv2DBackpropFilter, type Conv2DBackpropFilterAttrs } from '@tensorflow/tfjs-core';
import { deviceConvBackpropFilter } from '../../../native/device-ops-conv-matmul.js';
import { convGeometry } from '../../native/kernels/conv_util.js';
import { allFloat32, bufferOf, deviceKernelConfig, fallBack, newFloat32, type DeviceKernelFunc, type Inputs } from './conv-matmul-util.js';

const conv2DBackpropFilter: DeviceKernelFunc = (args) => {
  const { backend } = args;
  const { x, dy } = args.inputs as unknown as Inputs<'x' | 'dy'>;
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = args.attrs as unknown as Conv2DBackpropFilterAttrs;
  const info = backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filterShape, strides, 1, pad,
    dimRoundingMode, false, backend_util.convertConv2DDataFormat(dataFormat));
  const g = convGeometry(info);
  if (!g || !allFloat32(x, dy) || dy.shape.some((d, i) => d !== g.yShape[i])) return fallBack(Conv2DBackpropFilter, args);
  const dFilter = newFloat32(backend, g.filterShape);
  deviceConvBackpropFilter(backend.device, bufferOf(backend, x), g.xShape, bufferOf(backend, dy), g.yShape, dFilter.buffer, g.filterShape, g.geometry, backend.math);
  return dFilter.info;
};

export const conv2DBackpropFilterDeviceConfig = deviceKernelConfig(Conv2DBackpropFilter, conv2DBackpropFilter);
