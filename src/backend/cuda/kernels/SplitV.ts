// SplitV on the device: each piece along the axis copied as one block of x viewed as
// [outer, columns] (float32, int32, bool; anything else falls back).
import { backend_util, SplitV, util, type SplitVAttrs } from '@tensorflow/tfjs-core';
import { deviceCopyBlock } from '../../../native/device-ops-elementwise.js';
import { bufferOf, deviceDType, deviceKernelConfig, fallBack, newTensor, type DeviceKernelFunc, type Inputs } from './elementwise-util.js';

const splitV: DeviceKernelFunc = (args) => {
  const { backend } = args;
  const { x } = args.inputs as unknown as Inputs<'x'>;
  const { numOrSizeSplits, axis } = args.attrs as unknown as SplitVAttrs;
  const dtype = deviceDType(x);
  if (dtype === undefined) return fallBack(SplitV, args);
  const $axis = util.parseAxisParam(axis, x.shape)[0]!;
  const sizes = backend_util.prepareSplitSize(x as never, numOrSizeSplits, $axis);
  const rows = util.sizeFromShape(x.shape.slice(0, $axis));
  const inner = util.sizeFromShape(x.shape.slice($axis + 1));
  const rowLength = x.shape[$axis]! * inner;
  let begin = 0;
  return sizes.map((s) => {
    const shape = x.shape.slice();
    shape[$axis] = s;
    const piece = newTensor(backend, shape, dtype);
    const cols = s * inner;
    if (rows > 0 && cols > 0) {
      deviceCopyBlock(backend.device, dtype, { buffer: bufferOf(backend, x), rowLength, offset: begin * inner }, { buffer: piece.buffer, rowLength: cols, offset: 0 }, rows, cols);
    }
    begin += s;
    return piece.info;
  });
};

export const splitVDeviceConfig = deviceKernelConfig(SplitV, splitV);
