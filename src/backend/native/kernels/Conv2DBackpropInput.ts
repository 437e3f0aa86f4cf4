import { backend_util, Conv2DBackpropInput, type Conv2DBackpropInputAttrs, type KernelConfig } from '@tensorflow/tfjs-core';
import { convBackpropInput } from '../../../native/kernels.js';
import { convGeometry, recordConv } from './conv_util.js';
import { allFloat32, cpuFallback, f32, output, sizeOf, type Inputs, type KernelArgs } from './util.js';

export function conv2DBackpropInput(args: KernelArgs) {
  const { dy, filter } = args.inputs as unknown as Inputs<'dy' | 'filter'>;
  const { inputShape, strides, pad, dataFormat, dimRoundingMode } = args.attrs as unknown as Conv2DBackpropInputAttrs;
  const info = backend_util.computeConv2DInfo(inputShape, filter.shape as [number, number, number, number], strides, 1, pad,
    dimRoundingMode, false, backend_util.convertConv2DDataFormat(dataFormat));
  const g = convGeometry(info);
  if (!g || !allFloat32(args.backend, dy, filter) || dy.shape.some((d, i) => d !== g.yShape[i])) return cpuFallback(Conv2DBackpropInput, args);
  recordConv(Conv2DBackpropInput, g, pad);
  const dx = new Float32Array(sizeOf(g.xShape));
  convBackpropInput(f32(args.backend, dy), g.yShape, f32(args.backend, filter), g.filterShape, dx, g.xShape, g.geometry);
  return output(args.backend, g.xShape, dx);
}

export const conv2DBackpropInputConfig = { kernelName: Conv2DBackpropInput, kernelFunc: conv2DBackpropInput } as unknown as Omit<KernelConfig, 'backendName'>;
