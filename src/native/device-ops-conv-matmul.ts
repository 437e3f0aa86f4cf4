// Typed wrappers over the addon's convolution, matmul and fused-method device ops
// (native/device/register_conv_matmul.cc). Every tensor is a buffer id of `device`, float32 unless
// noted; outputs are buffers the caller allocated with the exact byte size of their shape.
// Convolutions and matrix products take a math mode (native/device/math_mode.h): under bf16 their
// operands are read rounded to bf16 (nearest, ties to even), accumulated in fp32 and the output is
// rounded to bf16, the buffers staying float32; tf32 lets fp32 ones use TF32 on a CUDA GPU only.
import { loadAddon } from './addon.js';
import type { DeviceMemory } from './device-memory.js';
import type { ConvGeometry, MatMulActivation } from './kernels.js';
import type { AdamHyper } from '../backend/kernel-names.js';
import type { CudaMathMode } from '../backend/cuda/math-mode.js';

export type DeviceMathMode = Readonly<CudaMathMode>;

type Shape = number[];

const geometryArgs = (g: ConvGeometry): [number[], number[], number[], number[]] => [g.strides, g.dilations, g.padBefore, g.padAfter];

/** y = conv(x, filter): x [N, ...spatial, Cin], filter [...k, Cin, Cout], y [N, ...spatial', Cout]. */
export function deviceConv(device: DeviceMemory, x: number, xShape: Shape, filter: number, filterShape: Shape, y: number, yShape: Shape, g: ConvGeometry, math: DeviceMathMode): void {
  loadAddon().deviceConv(device.handle, x, xShape, filter, filterShape, y, yShape, ...geometryArgs(g), math.precision, math.tf32);
}

/** dx = ∂(conv)/∂x applied to dy. */
export function deviceConvBackpropInput(device: DeviceMemory, dy: number, dyShape: Shape, filter: number, filterShape: Shape, dx: number, dxShape: Shape, g: ConvGeometry, math: DeviceMathMode): void {
  loadAddon().deviceConvBackpropInput(device.handle, dy, dyShape, filter, filterShape, dx, dxShape, ...geometryArgs(g), math.precision, math.tf32);
}

/** dFilter = ∂(conv)/∂filter applied to dy. */
export function deviceConvBackpropFilter(device: DeviceMemory, x: number, xShape: Shape, dy: number, dyShape: Shape, dFilter: number, filterShape: Shape, g: ConvGeometry, math: DeviceMathMode): void {
  loadAddon().deviceConvBackpropFilter(device.handle, x, xShape, dy, dyShape, dFilter, filterShape, ...geometryArgs(g), math.precision, math.tf32);
}

export interface DeviceMatMulOptions {
  transposeA: boolean;
  transposeB: boolean;
  /** buffer of n values added to every row */
  bias?: number;
  activation: MatMulActivation;
  leakyAlpha: number;
}

/** out[b] = act(op(a[b])·op(b[b]) + bias): a [batchA, rows, cols], b [batchB, rows, cols], a batch of 1 broadcast. */
export function deviceMatMul(device: DeviceMemory, a: number, aShape: [number, number, number], b: number, bShape: [number, number, number], out: number, o: DeviceMatMulOptions, math: DeviceMathMode): void {
  loadAddon().deviceMatMul(device.handle, a, aShape, b, bShape, out, o.transposeA, o.transposeB, o.bias ?? null, o.activation, o.leakyAlpha, math.precision, math.tf32);
}

export interface DeviceBatchNormTrainOutputs {
  /** (rows, channels) */
  y: number;
  /** (channels) each */
  mean: number;
  variance: number;
  invStd: number;
}

/** y = [ReLU](BN(x) [+ residual]) over x (rows, channels), with the batch statistics. */
export function deviceBatchNormTrain(device: DeviceMemory, x: number, rows: number, channels: number, gamma: number, beta: number, residual: number | undefined, eps: number, relu: boolean, out: DeviceBatchNormTrainOutputs): void {
  loadAddon().deviceBatchNormTrain(device.handle, x, rows, channels, gamma, beta, residual ?? null, eps, relu, out.y, out.mean, out.variance, out.invStd);
}

export interface DeviceBatchNormGradOutputs {
  dx: number;
  dGamma: number;
  dBeta: number;
  /** only when the forward had a residual */
  dResidual?: number;
}

/** BatchNormTrain's gradient; y (the forward's output) is read only with relu. */
export function deviceBatchNormTrainGrad(device: DeviceMemory, dy: number, x: number, y: number | undefined, mean: number, invStd: number, gamma: number, rows: number, channels: number, relu: boolean, out: DeviceBatchNormGradOutputs): void {
  loadAddon().deviceBatchNormTrainGrad(device.handle, dy, x, y ?? null, mean, invStd, gamma, rows, channels, relu, out.dx, out.dGamma, out.dBeta, out.dResidual ?? null);
}

/** Running mean and variance moved towards the batch's (PyTorch's rule, unbiased variance). */
export function deviceBatchNormRunningStats(device: DeviceMemory, runningMean: number, runningVar: number, mean: number, variance: number, channels: number, momentum: number, rows: number, meanOut: number, varOut: number): void {
  loadAddon().deviceBatchNormRunningStats(device.handle, runningMean, runningVar, mean, variance, channels, momentum, rows, meanOut, varOut);
}

/** Adam's hyper-parameters (src/backend/kernel-names.ts). */
export type DeviceAdamHyper = AdamHyper;

/** One tensor of an Adam group: buffers of `count` values; the outputs may be the tensor's own inputs. */
export interface DeviceAdamTensor {
  param: number;
  grad: number;
  m: number;
  v: number;
  paramOut: number;
  mOut: number;
  vOut: number;
  count: number;
}

/** One Adam step of every tensor of a parameter group, one device op (one CUDA launch) for the group; no tensor may use a buffer another one writes. */
export function deviceAdamUpdateGroup(device: DeviceMemory, tensors: readonly DeviceAdamTensor[], h: DeviceAdamHyper): void {
  const buffers = tensors.flatMap((t) => [t.param, t.grad, t.m, t.v, t.paramOut, t.mOut, t.vOut]);
  loadAddon().deviceAdamUpdateGroup(device.handle, tensors.map((t) => t.count), h.stepSize, h.beta1, h.beta2, h.eps, h.weightDecay, h.bc2Sqrt, ...buffers);
}

/** The CSC loss into `loss` (1 value) and its gradients dL/dv, dL/dz (batch, dim); labels int32 (batch). */
export function deviceCscLoss(device: DeviceMemory, v: number, z: number, aSel: number, labels: number, batch: number, dim: number, theta: number, calibrated: boolean, loss: number, dv: number, dz: number): void {
  loadAddon().deviceCscLoss(device.handle, v, z, aSel, labels, batch, dim, theta, calibrated, loss, dv, dz);
}
