// Conv2D on the device (NHWC float32; other layouts and dtypes fall back to the host).
import { backend_util, Conv2D, type Conv2DAttrs } from '@tensorflow/tfjs-core';
import { deviceConv } from '../../../native/device-ops-conv-matmul.js';
import { convGeometry } from '../../native/kernels/conv_util.js';
import { allFloat32, bufferOf, deviceKernelConfig, fallBack, newFloat32, type DeviceKernelFunc, type Inputs } from './conv-matmul-util.js';

const conv2D: DeviceKernelFunc = (args) => {
  const { backend } = args;
  const { x, filter } = args.inputs as unknown as Inputs<'x' | 'filter'>;
  const { strides, pad, dataFormat, dilations, dimRoundingMode } = args.attrs as unknown as Conv2DAttrs;
  const info = backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filter.shape as [number, number, number, number],
    strides, dilations, pad, dimRoundingMode, false, backend_util.convertConv2DDataFormat(dataFormat));
  const g = convGeometry(info);
  if (!g || !allFloat32(x, filter)) return fallBack(Conv2D, args);
  const y = newFloat32(backend, g.yShape);
  deviceConv(backend.device, bufferOf(backend, x), g.xShape, bufferOf(backend, filter), g.filterShape, y.buffer, g.yShape, g.geometry, backend.math);
  return y.info;
};

export const conv2DDeviceConfig = deviceKernelConfig(Conv2D, conv2D);
