// The addon's whole exported surface as one interface (the way node-llama-cpp types its addon as one
// BindingModule), and the check a loaded module passes before anything calls it: the ABI version it
// was built with (native/abi_version.h) and every function named here. The capability wrappers beside
// this file (kernels.ts, norm.ts, csc.ts, decode.ts, device.ts, device-memory.ts, device-clips.ts, cuda-libraries.ts,
// mpi.ts, nccl.ts)
// are the only callers.
import type { CscDevice, CscResult } from './csc.js';
import type { CudaLibrariesReport } from './cuda-libraries.js';
import type { DecodeClipsRequest, IngestOptions, IngestResult, VideoProbe } from './decode.js';
import type { DeviceInfo } from './device.js';
import type { DeviceClipsRequest } from './device-clips.js';
import type { DeviceHandle, DeviceMemoryStats, HostArray } from './device-memory.js';
import type { BinaryOp, Broadcast, MatMulActivation, ReduceOp, UnaryOp } from './kernels.js';
import type { MpiArray, MpiGatherArray, MpiInitResult } from './mpi.js';
import type { NcclInitResult } from './nccl.js';
import type { BatchNormBackwardResult, BatchNormForwardResult } from './norm.js';

/** native/abi_version.h's kAbiVersion that this code calls: bump both when an export changes. */
export const NATIVE_ABI_VERSION = 6;

type Shape = number[];
/** One entry per spatial dimension each (2 for conv2d, 3 for conv3d); dilation 1 = dense. */
type ConvGeometryArgs = [strides: number[], dilations: number[], padBefore: number[], padAfter: number[]];
/** A device conv's / matmul's math mode (native/device/math_mode.h). */
type MathModeArgs = [precision: 'fp32' | 'bf16', tf32: boolean];

export interface NativeBinding {
  /** native/abi_version.h */
  readonly abiVersion: number;

  // native/cuda/
  deviceInfo(): DeviceInfo;
  setThreads(threads: number): void;

  // native/device/cuda_libraries.cc: cuDNN, cuBLAS(Lt), NCCL found with dlopen, once per process
  cudaLibraries(): CudaLibrariesReport;

  // native/device/: buffers of a device behind a caching allocator; ids are positive integers
  deviceOpen(kind: 'emulated' | 'cuda'): DeviceHandle;
  deviceName(device: DeviceHandle): string;
  deviceAlloc(device: DeviceHandle, bytes: number): number;
  deviceFree(device: DeviceHandle, id: number): void;
  /** host → device; the array's byteLength must equal the buffer's bytes */
  deviceWrite(device: DeviceHandle, id: number, array: HostArray): void;
  deviceReadSync(device: DeviceHandle, id: number, array: HostArray): void;
  /** device → host off the JS thread; resolves with `array` */
  deviceRead<T extends HostArray>(device: DeviceHandle, id: number, array: T): Promise<T>;
  deviceCopy(device: DeviceHandle, dst: number, src: number, bytes: number): void;
  deviceStats(device: DeviceHandle): DeviceMemoryStats;
  deviceEmptyCache(device: DeviceHandle): void;
  // native/device/register_conv_matmul.cc: device ops over buffer ids (device-ops-conv-matmul.ts)
  deviceConv(device: DeviceHandle, x: number, xShape: Shape, filter: number, filterShape: Shape, y: number, yShape: Shape, ...geometryAndMath: [...ConvGeometryArgs, ...MathModeArgs]): void;
  deviceConvBackpropInput(device: DeviceHandle, dy: number, dyShape: Shape, filter: number, filterShape: Shape, dx: number, dxShape: Shape, ...geometryAndMath: [...ConvGeometryArgs, ...MathModeArgs]): void;
  deviceConvBackpropFilter(device: DeviceHandle, x: number, xShape: Shape, dy: number, dyShape: Shape, dFilter: number, filterShape: Shape, ...geometryAndMath: [...ConvGeometryArgs, ...MathModeArgs]): void;
  deviceMatMul(device: DeviceHandle, a: number, aShape: Shape, b: number, bShape: Shape, out: number, transposeA: boolean, transposeB: boolean, bias: number | null, activation: MatMulActivation, leakyAlpha: number, ...math: MathModeArgs): void;
  deviceBatchNormTrain(device: DeviceHandle, x: number, rows: number, channels: number, gamma: number, beta: number, residual: number | null, eps: number, relu: boolean, y: number, mean: number, variance: number, invStd: number): void;
  deviceBatchNormTrainGrad(device: DeviceHandle, dy: number, x: number, y: number | null, mean: number, invStd: number, gamma: number, rows: number, channels: number, relu: boolean, dx: number, dGamma: number, dBeta: number, dResidual: number | null): void;
  deviceBatchNormRunningStats(device: DeviceHandle, runningMean: number, runningVar: number, mean: number, variance: number, channels: number, momentum: number, rows: number, meanOut: number, varOut: number): void;
  /** one Adam step of a parameter group: counts[t] values per tensor t, 7 buffer ids per tensor (param, grad, m, v, paramOut, mOut, vOut) */
  deviceAdamUpdateGroup(device: DeviceHandle, counts: number[], stepSize: number, beta1: number, beta2: number, eps: number, weightDecay: number, bc2Sqrt: number, ...buffers: number[]): void;
  deviceCscLoss(device: DeviceHandle, v: number, z: number, aSel: number, labels: number, batch: number, dim: number, theta: number, calibrated: boolean, loss: number, dv: number, dz: number): void;
  // native/device/register_clips.cc: clips decoded and transformed into a device buffer (device-clips.ts)
  deviceDecodeClips(device: DeviceHandle, clips: number, request: DeviceClipsRequest): Promise<(string | null)[]>;

  // native/device/ (element-wise, reductions, layout): device buffers by id; dtype codes 0 float32, 1 int32, 2 bool
  deviceUnary(device: DeviceHandle, op: number, x: number, out: number, size: number, alpha: number, beta: number): void;
  deviceBinary(device: DeviceHandle, op: number, dtype: number, a: number, aShape: Shape, b: number, bShape: Shape, out: number, outShape: Shape): void;
  deviceAddN(device: DeviceHandle, dtype: number, out: number, size: number, ...inputs: number[]): void;
  deviceFill(device: DeviceHandle, dtype: number, out: number, size: number, value: number): void;
  deviceOneHot(device: DeviceHandle, indices: number, size: number, depth: number, onValue: number, offValue: number, dtype: number, out: number): void;
  deviceCast(device: DeviceHandle, fromDtype: number, x: number, toDtype: number, out: number, size: number): void;
  deviceReduce(device: DeviceHandle, op: number, dtype: number, x: number, xShape: Shape, axes: number[], out: number): void;
  deviceSoftmax(device: DeviceHandle, x: number, out: number, rows: number, cols: number): void;
  deviceTranspose(device: DeviceHandle, dtype: number, x: number, xShape: Shape, perm: number[], out: number): void;
  deviceCopyBlock(
    device: DeviceHandle,
    dtype: number,
    src: number,
    srcRowLength: number,
    srcOffset: number,
    dst: number,
    dstRowLength: number,
    dstOffset: number,
    rows: number,
    cols: number,
  ): void;

  // native/kernels/: float32, channels-last; results written into the caller's arrays
  conv(x: Float32Array, xShape: Shape, filter: Float32Array, filterShape: Shape, y: Float32Array, yShape: Shape, ...geometry: ConvGeometryArgs): void;
  convBackpropInput(dy: Float32Array, dyShape: Shape, filter: Float32Array, filterShape: Shape, dx: Float32Array, dxShape: Shape, ...geometry: ConvGeometryArgs): void;
  convBackpropFilter(x: Float32Array, xShape: Shape, dy: Float32Array, dyShape: Shape, dFilter: Float32Array, filterShape: Shape, ...geometry: ConvGeometryArgs): void;
  matMul(
    a: Float32Array,
    aShape: Shape,
    b: Float32Array,
    bShape: Shape,
    out: Float32Array,
    transposeA: boolean,
    transposeB: boolean,
    bias: Float32Array | null,
    activation: MatMulActivation,
    leakyAlpha: number,
  ): void;
  binary(op: BinaryOp, broadcast: Broadcast, a: Float32Array, b: Float32Array, out: Float32Array, rowLength: number): void;
  unary(op: UnaryOp, x: Float32Array, out: Float32Array, alpha: number): void;
  reduce(op: ReduceOp, x: Float32Array, out: Float32Array, outer: number, length: number, inner: number): void;
  adamUpdate(
    param: Float32Array,
    grad: Float32Array,
    m: Float32Array,
    v: Float32Array,
    paramOut: Float32Array,
    mOut: Float32Array,
    vOut: Float32Array,
    hyper: { stepSize: number; beta1: number; beta2: number; eps: number; weightDecay: number; bc2Sqrt: number },
  ): void;

  // native/csc/
  cscLossGrad(
    v: Float32Array,
    z: Float32Array,
    aSel: Float32Array,
    labels: Int32Array,
    shape: [batch: number, dim: number],
    theta: number,
    calibrated: boolean,
    device: CscDevice,
  ): CscResult;

  // native/norm/: the addon allocates the results
  batchNormTrainForward(
    x: Float32Array,
    rows: number,
    channels: number,
    gamma: Float32Array,
    beta: Float32Array,
    eps: number,
    relu: boolean,
    residual: Float32Array | null,
  ): BatchNormForwardResult;
  batchNormTrainBackward(
    dy: Float32Array,
    x: Float32Array,
    y: Float32Array | null,
    mean: Float32Array,
    invStd: Float32Array,
    gamma: Float32Array,
    rows: number,
    channels: number,
    relu: boolean,
    residual: boolean,
  ): BatchNormBackwardResult;

  // native/decode/: the long calls run off the JS thread
  decodeClips(request: DecodeClipsRequest): Promise<(string | null)[]>;
  probeVideos(paths: string[], deep: boolean): Promise<VideoProbe[]>;
  readFrameBytes(path: string, index: number): Uint8Array;
  decodeFrame(path: string, index: number): { width: number; height: number; pixels: Uint8Array };
  writeVideo(path: string, rgb: Uint8Array, shape: [frames: number, height: number, width: number], quality: number): Promise<number>;
  writeJpegVideo(path: string, jpegs: Uint8Array[]): Promise<number>;
  ingestVideos(sources: string[], destinations: string[], options: IngestOptions): Promise<IngestResult[]>;
  allocClipBuffer(elements: number): Float32Array;
  decodeThreads(): number;
  closeVideoFiles(): void;
  openVideoFiles(): number;

  // native/distributed/: Open MPI loaded with dlopen on mpiInit; collectives off the JS thread, in call order
  mpiInit(): MpiInitResult;
  mpiAllreduceSum(values: Float32Array): Promise<Float32Array>;
  mpiAllgather<T extends MpiGatherArray>(values: T): Promise<T>;
  /** the same collectives run on the calling thread (after every one issued before them) */
  mpiAllreduceSumNow(values: Float32Array): Float32Array;
  mpiAllgatherNow<T extends MpiGatherArray>(values: T): T;
  mpiBroadcast<T extends MpiArray>(values: T, root: number): Promise<T>;
  mpiBarrier(): Promise<void>;
  mpiAbort(code: number, message: string): void;
  mpiFinalize(): void;

  // native/distributed/register_nccl.cc: NCCL (dlopen) on buffers of the CUDA device, enqueued on its compute stream
  ncclProblem(): string | undefined;
  ncclUniqueId(): Uint8Array;
  ncclInit(device: DeviceHandle, id: Uint8Array, rank: number, size: number): Promise<NcclInitResult>;
  ncclAllreduceSumDevice(device: DeviceHandle, buffer: number, elements: number): void;
  ncclAllgatherDevice(device: DeviceHandle, src: number, dst: number, bytes: number): void;
  ncclBroadcastDevice(device: DeviceHandle, buffer: number, bytes: number, root: number): void;
  ncclFinalize(): void;
}

export type NativeFunctionName = Exclude<keyof NativeBinding, 'abiVersion'>;

// A Record over the interface's keys: the compiler rejects a function left out or a name that is not one.
const FUNCTIONS: Record<NativeFunctionName, true> = {
  deviceInfo: true,
  setThreads: true,
  cudaLibraries: true,
  deviceOpen: true,
  deviceName: true,
  deviceAlloc: true,
  deviceFree: true,
  deviceWrite: true,
  deviceReadSync: true,
  deviceRead: true,
  deviceCopy: true,
  deviceStats: true,
  deviceEmptyCache: true,
  deviceConv: true,
  deviceConvBackpropInput: true,
  deviceConvBackpropFilter: true,
  deviceMatMul: true,
  deviceBatchNormTrain: true,
  deviceBatchNormTrainGrad: true,
  deviceBatchNormRunningStats: true,
  deviceAdamUpdateGroup: true,
  deviceCscLoss: true,
  deviceDecodeClips: true,
  deviceUnary: true,
  deviceBinary: true,
  deviceAddN: true,
  deviceFill: true,
  deviceOneHot: true,
  deviceCast: true,
  deviceReduce: true,
  deviceSoftmax: true,
  deviceTranspose: true,
  deviceCopyBlock: true,
  conv: true,
  convBackpropInput: true,
  convBackpropFilter: true,
  matMul: true,
  binary: true,
  unary: true,
  reduce: true,
  adamUpdate: true,
  cscLossGrad: true,
  batchNormTrainForward: true,
  batchNormTrainBackward: true,
  decodeClips: true,
  probeVideos: true,
  readFrameBytes: true,
  decodeFrame: true,
  writeVideo: true,
  writeJpegVideo: true,
  ingestVideos: true,
  allocClipBuffer: true,
  decodeThreads: true,
  closeVideoFiles: true,
  openVideoFiles: true,
  mpiInit: true,
  mpiAllreduceSum: true,
  mpiAllgather: true,
  mpiAllreduceSumNow: true,
  mpiAllgatherNow: true,
  mpiBroadcast: true,
  mpiBarrier: true,
  mpiAbort: true,
  mpiFinalize: true,
  ncclProblem: true,
  ncclUniqueId: true,
  ncclInit: true,
  ncclAllreduceSumDevice: true,
  ncclAllgatherDevice: true,
  ncclBroadcastDevice: true,
  ncclFinalize: true,
};

/** Every function of NativeBinding. */
export const NATIVE_FUNCTIONS = Object.keys(FUNCTIONS) as readonly NativeFunctionName[];

/**
 * Why the module loaded from `path` is not the binding this code calls (one line naming the file
 * and the fix), or undefined when it is: its abiVersion must equal NATIVE_ABI_VERSION and every
 * function of NativeBinding must be there.
 */
export function bindingProblem(exports: unknown, path: string, expected = NATIVE_ABI_VERSION): string | undefined {
  const found = (typeof exports === 'object' || typeof exports === 'function') && exports !== null ? (exports as Record<string, unknown>) : {};
  const version = found.abiVersion;
  if (typeof version !== 'number') {
    return `native addon ${path} is stale (no ABI version, this code expects ${expected}): rebuild with \`npm run build:native\``;
  }
  if (version < expected) return `native addon ${path} is stale (ABI ${version}, this code expects ${expected}): rebuild with \`npm run build:native\``;
  if (version > expected) return `native addon ${path} is newer than this code (ABI ${version}, this code expects ${expected}): rebuild both with \`npm run build\``;
  const missing = NATIVE_FUNCTIONS.filter((name) => typeof found[name] !== 'function');
  if (missing.length > 0) {
    return `native addon ${path} (ABI ${version}) lacks ${missing.length === 1 ? 'function' : 'functions'} ${missing.join(', ')}: rebuild with \`npm run build:native\``;
  }
  return undefined;
}
