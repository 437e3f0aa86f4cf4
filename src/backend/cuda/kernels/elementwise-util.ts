// Shared by the element-wise, reduction and layout device kernels of backend 'cuda' (with what every
// device kernel shares, device-kernel.ts): the element-wise and reduction kernel makers and dtypes.
import { backend_util, util, type DataType, type TensorInfo } from '@tensorflow/tfjs-core';
import {
  deviceBinary,
  deviceReduce,
  deviceUnary,
  isDeviceDType,
  type DeviceBinaryOp,
  type DeviceDType,
  type DeviceReduceOp,
  type DeviceUnaryOp,
} from '../../../native/device-ops-elementwise.js';
import type { CudaBackend } from '../backend.js';
import { bufferOf, deviceKernelConfig, fallBack, newTensor, type DeviceKernelFunc, type KernelArgs } from './device-kernel.js';

export { bufferOf, deviceKernelConfig, fallBack, newTensor, type DeviceKernelFunc, type KernelArgs } from './device-kernel.js';
type Attrs = KernelArgs['attrs'];

/** The dtype the device ops take, or undefined (string, complex64). */
export function deviceDType(t: TensorInfo): DeviceDType | undefined {
  return isDeviceDType(t.dtype) ? t.dtype : undefined;
}

/** A float32 element-wise kernel (other dtypes fall back); params gives the op's alpha and beta. */
export function unaryDeviceKernel(kernelName: string, op: DeviceUnaryOp, params?: (attrs: Attrs) => [number, number]) {
  const kernelFunc: DeviceKernelFunc = (args) => {
    const { backend } = args;
    const { x } = args.inputs as { x: TensorInfo };
    if (x.dtype !== 'float32') return fallBack(kernelName, args);
    const [alpha, beta] = params ? params(args.attrs) : [0, 0];
    const out = newTensor(backend, x.shape, 'float32');
    deviceUnary(backend.device, op, bufferOf(backend, x), out.buffer, util.sizeFromShape(x.shape), alpha, beta);
    return out.info;
  };
  return deviceKernelConfig(kernelName, kernelFunc);
}

/** A broadcasting binary kernel over float32 or int32 operands of one dtype (int32 only where `int32`). */
export function binaryDeviceKernel(kernelName: string, op: DeviceBinaryOp, { int32, bool }: { int32: boolean; bool: boolean }) {
  const kernelFunc: DeviceKernelFunc = (args) => {
    const { backend } = args;
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    const dtype = a.dtype;
    if (dtype !== b.dtype || !(dtype === 'float32' || (int32 && dtype === 'int32'))) return fallBack(kernelName, args);
    const outShape = backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
    const out = newTensor(backend, outShape, bool ? 'bool' : dtype);
    deviceBinary(backend.device, op, dtype, bufferOf(backend, a), a.shape, bufferOf(backend, b), b.shape, out.buffer, outShape);
    return out.info;
  };
  return deviceKernelConfig(kernelName, kernelFunc);
}

/** x's shape reduced over `axes` (tfjs's order of kept dims), with size-1 dims where keepDims. */
export function reducedShape(shape: number[], axes: number[], keepDims: boolean): number[] {
  const [outShape] = backend_util.computeOutAndReduceShapes(shape, axes);
  return keepDims ? backend_util.expandShapeToKeepDim(outShape, axes) : outShape;
}

/** out = op of x over `axes` on the device, in a new tensor of `outShape`. */
export function reduceOnDevice(backend: CudaBackend, op: DeviceReduceOp, x: TensorInfo, axes: number[], outShape: number[], outDtype: DataType): TensorInfo {
  const out = newTensor(backend, outShape, outDtype);
  deviceReduce(backend.device, op, x.dtype as 'float32' | 'int32', bufferOf(backend, x), x.shape, axes, out.buffer);
  return out.info;
}

/** A kernel's named inputs, all present. */
export type Inputs<K extends string> = Record<K, TensorInfo>;
