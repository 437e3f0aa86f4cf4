// Backend 'cuda': a device-resident tfjs KernelBackend (on the model of tfjs-backend-webgpu). Each
// data id maps to a buffer of an addon device (the CUDA GPU, or the emulated host twin), plus a host
// copy kept once the values have been read; strings stay on the host. Kernels the backend has no
// device code for yet run as counted host fallbacks (fallback.ts).
import { DataStorage, KernelBackend, util, type BackendTimingInfo, type BackendValues, type DataId, type DataType, type TensorInfo } from '@tensorflow/tfjs-core';
import { tf } from '../../tf.js';
import { DeviceMemory, type DeviceMemoryStats, type HostArray } from '../../native/device-memory.js';
import { NativeBackend } from '../native/backend.js';
import { DEFAULT_MATH_MODE, type CudaMathMode } from './math-mode.js';

interface TensorData {
  dtype: DataType;
  shape: number[];
  refCount: number;
  /** the device buffer's id; absent for strings */
  buffer?: number;
  /** values on the host: a copy kept after a read, or a string tensor's only storage */
  values?: BackendValues;
}

/** Device statistics plus the backend's own counters, as tf.memory() and step events report them. */
export interface CudaMemoryStats extends DeviceMemoryStats {
  /** host fallback kernel calls, all kernels */
  fallbacks: number;
  /** host fallback kernel calls per kernel name */
  fallbacksByKernel: Record<string, number>;
  /** readSync calls that reached the device (a kept host copy answers the others) */
  readSyncCalls: number;
}

type ArrayForDtype = Float32ArrayConstructor | Int32ArrayConstructor | Uint8ArrayConstructor;

function arrayType(dtype: DataType): ArrayForDtype {
  switch (dtype) {
    case 'float32':
      return Float32Array;
    case 'int32':
      return Int32Array;
    case 'bool':
      return Uint8Array;
    default:
      throw new Error(`backend 'cuda': ${dtype} tensors are not supported (float32, int32, bool and string are)`);
  }
}

export class CudaBackend extends KernelBackend {
  /** the host backend fallback kernels run on: never made current, holds tensors only during a call */
  readonly host = new NativeBackend();
  private readonly tensorMap: DataStorage<TensorData>;
  private readonly fallbackCounts = new Map<string, number>();
  private fallbackTotal = 0;
  private readSyncCalls = 0;
  /** how convolutions and matrix products compute (the conv/matmul kernels read it per call) */
  math: CudaMathMode = { ...DEFAULT_MATH_MODE };

  /** onFallback: called once per kernel name, on that kernel's first host fallback */
  constructor(
    readonly device: DeviceMemory,
    public onFallback?: (kernelName: string) => void,
  ) {
    super();
    this.tensorMap = new DataStorage(this, tf.engine());
  }

  /** e.g. "emulated (host memory)" */
  get deviceName(): string {
    return this.device.name;
  }

  override write(values: BackendValues, shape: number[], dtype: DataType): DataId {
    const dataId = {};
    this.store(dataId, values, shape, dtype, 1);
    return dataId;
  }

  override move(dataId: DataId, values: BackendValues, shape: number[], dtype: DataType, refCount: number): void {
    this.store(dataId, values, shape, dtype, refCount);
  }

  private store(dataId: DataId, values: BackendValues, shape: number[], dtype: DataType, refCount: number): void {
    if (dtype === 'string') {
      this.tensorMap.set(dataId, { dtype, shape, refCount, values });
      return;
    }
    const Type = arrayType(dtype);
    const size = util.sizeFromShape(shape);
    const buffer = this.device.alloc(size * Type.BYTES_PER_ELEMENT);
    this.tensorMap.set(dataId, { dtype, shape, refCount, buffer });
    if (values != null) {
      // a host kernel may hold a float32 tensor's values in an Int32Array (a lossless cast)
      const typed = values instanceof Type ? values : Type.from(values as ArrayLike<number>);
      this.device.write(buffer, typed as HostArray);
    }
  }

  /** A new tensor of this backend (values copied to the device when given). */
  makeTensorInfo(shape: number[], dtype: DataType, values?: BackendValues): TensorInfo {
    return { dataId: this.write(values ?? null!, shape, dtype), shape, dtype };
  }

  /** A tensor over a device buffer already holding its values (e.g. clips decoded on the device): the tensor owns the buffer from here. */
  adoptBuffer(buffer: number, shape: number[], dtype: DataType): TensorInfo {
    const dataId = {};
    this.tensorMap.set(dataId, { dtype, shape, refCount: 1, buffer });
    return { dataId, shape, dtype };
  }

  /** The device buffer holding a tensor's values: what device kernels pass to the device's ops. */
  bufferOf(dataId: DataId): number {
    const data = this.tensorMap.get(dataId);
    if (data?.buffer === undefined) throw new Error(`backend 'cuda': tensor has no device buffer (${data ? data.dtype : 'disposed'})`);
    return data.buffer;
  }

  /** The buffer of a tensor a kernel is about to overwrite (an out buffer): its host copy is dropped. */
  bufferToOverwrite(dataId: DataId): number {
    const buffer = this.bufferOf(dataId);
    this.tensorMap.get(dataId).values = undefined;
    return buffer;
  }

  override refCount(dataId: DataId): number {
    return this.tensorMap.has(dataId) ? this.tensorMap.get(dataId).refCount : 0;
  }

  override incRef(dataId: DataId): void {
    this.tensorMap.get(dataId).refCount++;
  }

  override numDataIds(): number {
    return this.tensorMap.numDataIds();
  }

  override disposeData(dataId: DataId, force = false): boolean {
    if (!this.tensorMap.has(dataId)) return true;
    const data = this.tensorMap.get(dataId);
    data.refCount = force ? 0 : data.refCount - 1;
    if (data.refCount > 0) return false;
    if (data.buffer !== undefined) this.device.free(data.buffer);
    this.tensorMap.delete(dataId);
    return true;
  }

  /** Synchronous device → host read: allowed, but counted (readSyncCalls); the values are kept. */
  override readSync(dataId: DataId): BackendValues {
    const data = this.tensorMap.get(dataId);
    if (data.values !== undefined) return data.values;
    this.readSyncCalls++;
    data.values = this.copyToHost(data);
    return data.values;
  }

  /** Device → host off the JS thread; the values are kept as the tensor's host copy. */
  override async read(dataId: DataId): Promise<BackendValues> {
    const data = this.tensorMap.get(dataId);
    if (data.values !== undefined) return data.values;
    const values = await this.device.read(data.buffer!, new (arrayType(data.dtype))(util.sizeFromShape(data.shape)));
    // the tensor may have been disposed, or read synchronously, while the copy ran
    if (this.tensorMap.has(dataId) && this.tensorMap.get(dataId) === data) data.values ??= values;
    return data.values ?? values;
  }

  /** A tensor's values for a host fallback: the kept copy, or a fresh one that is not kept. */
  hostValues(dataId: DataId): BackendValues {
    const data = this.tensorMap.get(dataId);
    return data.values ?? this.copyToHost(data);
  }

  private copyToHost(data: TensorData): BackendValues {
    return this.device.readSync(data.buffer!, new (arrayType(data.dtype))(util.sizeFromShape(data.shape)));
  }

  /** Counts one host fallback call of a kernel; the first of each name is reported. */
  countFallback(kernelName: string): void {
    const count = (this.fallbackCounts.get(kernelName) ?? 0) + 1;
    this.fallbackCounts.set(kernelName, count);
    this.fallbackTotal++;
    if (count === 1) this.onFallback?.(kernelName);
  }

  /** Kernel names that have fallen back to the host, in the order they first did. */
  fallbackKernels(): string[] {
    return [...this.fallbackCounts.keys()];
  }

  stats(): CudaMemoryStats {
    return {
      ...this.device.stats(),
      fallbacks: this.fallbackTotal,
      fallbacksByKernel: Object.fromEntries(this.fallbackCounts),
      readSyncCalls: this.readSyncCalls,
    };
  }

  override memory(): { unreliable: boolean } & CudaMemoryStats {
    return { unreliable: false, ...this.stats() };
  }

  override floatPrecision(): 32 {
    return 32;
  }

  override epsilon(): number {
    return 1e-7;
  }

  override timerAvailable(): boolean {
    return true;
  }

  override async time(f: () => void): Promise<BackendTimingInfo> {
    const start = util.now();
    f();
    return { kernelMs: util.now() - start };
  }

  // The device's buffers go back when its handle is collected (DataStorage cannot list its ids).
  override dispose(): void {
    this.host.dispose();
  }
}
