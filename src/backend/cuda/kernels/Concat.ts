// Concat on the device along an axis: each input, viewed as [outer, its columns], copied as one block
// into the output viewed as [outer, all columns] (tfjs-cpu's 2-D view). One dtype of float32, int32 or
// bool; anything else falls back.
import { backend_util, Concat, util, type ConcatAttrs, type TensorInfo } from '@tensorflow/tfjs-core';
import { deviceCopyBlock } from '../../../native/device-ops-elementwise.js';
import { bufferOf, deviceDType, deviceKernelConfig, fallBack, newTensor, type DeviceKernelFunc } from './elementwise-util.js';

const concat: DeviceKernelFunc = (args) => {
  const { backend } = args;
  const tensors = args.inputs as unknown as TensorInfo[];
  const { axis } = args.attrs as unknown as ConcatAttrs;
  const first = tensors[0];
  const dtype = first && deviceDType(first);
  if (!first || dtype === undefined || tensors.some((t) => t.dtype !== dtype)) return fallBack(Concat, args);
  const $axis = util.parseAxisParam(axis, first.shape)[0]!;
  const shapes = tensors.map((t) => t.shape);
  backend_util.assertParamsConsistent(shapes, $axis);
  const outShape = backend_util.computeOutShape(shapes, $axis);
  const out = newTensor(backend, outShape, dtype);
  const rows = util.sizeFromShape(outShape.slice(0, $axis));
  const rowLength = util.sizeFromShape(outShape.slice($axis));
  if (rows === 0 || rowLength === 0) return out.info;
  let offset = 0;
  for (const t of tensors) {
    const cols = util.sizeFromShape(t.shape.slice($axis));
    if (cols > 0) {
      deviceCopyBlock(backend.device, dtype, { buffer: bufferOf(backend, t), rowLength: cols, offset: 0 }, { buffer: out.buffer, rowLength, offset }, rows, cols);
    }
    offset += cols;
  }
  return out.info;
};

export const concatDeviceConfig = deviceKernelConfig(Concat, concat);
