// Conv2DBackpropInput on the device (NHWC float32; other cases fall back to the host).
import { backend_util, Conv2DBackpropInput, type Conv2DBackpropInputAttrs } from '@tensorflow/tfjs-core';
import { deviceConvBackpropInput } from '../../../native/device-ops-conv-matmul.js';
import { convGeometry } from '../../native/kernels/conv_util.js';
import { allFloat32, bufferOf, deviceKernelConfig, fallBack, newFloat32, type DeviceKernelFunc, type Inputs } from './conv-matmul-util.js';

const conv2DBackpropInput: DeviceKernelFunc = (args) => {
  const { backend } = args;
  const { dy, filter } = args.inputs as unknown as Inputs<'dy' | 'filter'>;
  const { inputShape, strides, pad, dataFormat, dimRoundingMode } = args.attrs as unknown as Conv2DBackpropInputAttrs;
  const info = backend_util.computeConv2DInfo(inputShape, filter.shape as [number, number, number, number], strides, 1, pad,
    dimRoundingMode, false, backend_util.convertConv2DDataFormat(dataFormat));
  const g = convGeometry(info);
  if (!g || !allFloat32(dy, filter) || dy.shape.some((d, i) => d !== g.yShape[i])) return fallBack(Conv2DBackpropInput, args);
  const dx = newFloat32(backend, g.xShape);
  deviceConvBackpropInput(backend.device, bufferOf(backend, dy), g.yShape, bufferOf(backend, filter), g.filterShape, dx.buffer, g.xShape, g.geometry, backend.math);
  return dx.info;
};

export const conv2DBackpropInputDeviceConfig = deviceKernelConfig(Conv2DBackpropInput, conv2DBackpropInput);
