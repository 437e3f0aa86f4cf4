// Twin cases of the reduction and softmax device ops (native/device/cuda/reduce.cu against
// native/device/ops_reduce.cc): Sum, Mean, Max and ArgMax over rows, columns, middle axes, axes out
// of order and not adjacent, everything (1<<20 elements into one), the model's per-channel sums over
// NDHWC activations, int32 (with wrapping sums), ties and NaN for ArgMax, size-1 dims, empty
// reductions; Softmax over short and long rows.
import type { HostArray } from '../device-memory.js';
import { deviceReduce, DeviceReduceOp, deviceSoftmax } from '../device-ops-elementwise.js';
import { randomValues } from './buffers.js';
import { withCaseBuffers } from './case-buffers.js';
import { intValues } from './elementwise.js';
import type { TwinCase } from './types.js';

const FAMILY = 'reduce';
/** sums in double on both sides, in different orders */
const SUM_TOLERANCE = 1e-5;
/** Max and ArgMax pick an element: exact */
const EXACT = 0;
/** exp in double by two math libraries, double sums in different orders */
const SOFTMAX_TOLERANCE = 1e-6;

type Shape = number[];
const sizeOf = (shape: Shape) => shape.reduce((a, b) => a * b, 1);

export interface ReduceSpec {
  op: DeviceReduceOp;
  dtype: 'float32' | 'int32';
  shape: Shape;
  axes: number[];
  /** 'ties': small integers (many equal maxima); 'nan': NaN sprinkled in, the first element of some rows
   *  included (ArgMax only: its output stays finite); 'wrap': int32 values whose sums pass 2^31 */
  values?: 'ties' | 'nan' | 'wrap';
  seed: number;
}

/** x for `spec`. */
export function reduceInput(spec: ReduceSpec): Float32Array | Int32Array {
  const n = sizeOf(spec.shape);
  if (spec.dtype === 'int32') {
    if (spec.values === 'wrap') return intValues(n, spec.seed, 2 ** 29, 2 ** 30);
    return intValues(n, spec.seed, spec.values === 'ties' ? -3 : -1000, spec.values === 'ties' ? 3 : 1000);
  }
  if (spec.values === 'ties') return Float32Array.from(intValues(n, spec.seed, -3, 3));
  const x = randomValues(n, spec.seed, 2);
  if (spec.values === 'nan') {
    const last = spec.shape[spec.shape.length - 1] ?? 1;
    for (let i = 0; i < n; i += 7) x[i] = NaN;
    for (let i = 0; i < n; i += 5 * last) x[i] = NaN;
  }
  return x;
}

/** x's shape without `axes`. */
export const reducedShape = (shape: Shape, axes: number[]) => shape.filter((_, i) => !axes.includes(i));

const opName = (op: DeviceReduceOp) => DeviceReduceOp[op];

export function reduceCase(spec: ReduceSpec): TwinCase {
  const outSize = sizeOf(reducedShape(spec.shape, spec.axes));
  const intOut = spec.op === DeviceReduceOp.ArgMax || (spec.dtype === 'int32' && spec.op !== DeviceReduceOp.Mean);
  const sums = spec.op === DeviceReduceOp.Sum || spec.op === DeviceReduceOp.Mean;
  return {
    family: FAMILY,
    name: `${opName(spec.op)} ${spec.dtype}${spec.values ? ` (${spec.values})` : ''} [${spec.shape.join(',')}] over [${spec.axes.join(',')}]`,
    tolerance: sums && spec.dtype === 'float32' ? SUM_TOLERANCE : EXACT,
    run: (device) =>
      withCaseBuffers(device, (b) => {
        const x = b.upload(reduceInput(spec));
        const out = b.allocate(outSize);
        deviceReduce(device, spec.op, spec.dtype, x, spec.shape, spec.axes, out);
        return [b.read(out, intOut ? new Int32Array(outSize) : new Float32Array(outSize))];
      }),
  };
}

/** A reduction with no outputs (it must launch nothing and break nothing), then `after`'s output. */
function emptyThenCase(empty: ReduceSpec, after: ReduceSpec): TwinCase {
  const then = reduceCase(after);
  return {
    family: FAMILY,
    name: `${opName(empty.op)} [${empty.shape.join(',')}] over [${empty.axes.join(',')}], then ${then.name}`,
    tolerance: then.tolerance,
    run: async (device) => {
      withCaseBuffers(device, (b) => {
        const x = b.upload(new Float32Array(0));
        const out = b.allocate(0);
        deviceReduce(device, empty.op, empty.dtype, x, empty.shape, empty.axes, out);
        return [];
      });
      return then.run(device);
    },
  };
}

export interface SoftmaxSpec {
  rows: number;
  cols: number;
  scale: number;
  seed: number;
}

export const softmaxInput = (spec: SoftmaxSpec) => randomValues(spec.rows * spec.cols, spec.seed, spec.scale);

export function softmaxCase(spec: SoftmaxSpec): TwinCase {
  const n = spec.rows * spec.cols;
  return {
    family: FAMILY,
    name: `Softmax [${spec.rows},${spec.cols}] (logits within ±${spec.scale})`,
    tolerance: SOFTMAX_TOLERANCE,
    run: (device) =>
      withCaseBuffers(device, (b): HostArray[] => {
        const x = b.upload(softmaxInput(spec));
        const out = b.allocate(n);
        deviceSoftmax(device, x, out, spec.rows, spec.cols);
        return [b.read(out, new Float32Array(n))];
      }),
  };
}

const { Sum, Mean, Max, ArgMax } = DeviceReduceOp;
const MILLION = 1 << 20;
/** [shape, axes]: rows, columns, a middle axis, two apart, out of order, all, NDHWC per-channel,
 *  size-1 dims, none */
const LAYOUTS: [Shape, number[]][] = [
  [[64, 1000], [1]],
  [[1000, 64], [0]],
  [[8, 300, 16], [1]],
  [[30, 5, 40], [0, 2]],
  [[6, 7, 8], [2, 0]],
  [[3, 4, 5], [0, 1, 2]],
  [[2, 8, 14, 14, 64], [0, 1, 2, 3]],
  [[1, 50, 1, 3], [1]],
  [[4, 5], []],
];

export const REDUCE_TWIN_CASES: readonly TwinCase[] = [
  ...[Sum, Mean, Max].flatMap((op, k) => LAYOUTS.map(([shape, axes], j) => reduceCase({ op, dtype: 'float32', shape, axes, seed: 10 * k + j }))),
  ...LAYOUTS.filter(([, axes]) => axes.length === 1).map(([shape, axes], j) => reduceCase({ op: ArgMax, dtype: 'float32', shape, axes, seed: 40 + j })),
  reduceCase({ op: Max, dtype: 'float32', shape: [64, 1000], axes: [1], values: 'ties', seed: 50 }),
  reduceCase({ op: Max, dtype: 'float32', shape: [1000, 64], axes: [0], values: 'ties', seed: 51 }),
  reduceCase({ op: ArgMax, dtype: 'float32', shape: [64, 1000], axes: [1], values: 'ties', seed: 52 }),
  reduceCase({ op: ArgMax, dtype: 'float32', shape: [1000, 64], axes: [0], values: 'ties', seed: 53 }),
  reduceCase({ op: ArgMax, dtype: 'float32', shape: [32, 51], axes: [1], values: 'nan', seed: 54 }),
  reduceCase({ op: ArgMax, dtype: 'float32', shape: [40, 3000], axes: [1], values: 'nan', seed: 55 }),
  reduceCase({ op: Sum, dtype: 'int32', shape: [64, 1000], axes: [1], seed: 60 }),
  reduceCase({ op: Sum, dtype: 'int32', shape: [30, 5, 40], axes: [0, 2], values: 'wrap', seed: 61 }),
  reduceCase({ op: Max, dtype: 'int32', shape: [1000, 64], axes: [0], seed: 62 }),
  reduceCase({ op: Max, dtype: 'int32', shape: [4, 0], axes: [1], seed: 63 }),
  reduceCase({ op: ArgMax, dtype: 'int32', shape: [64, 1000], axes: [1], values: 'ties', seed: 64 }),
  reduceCase({ op: Sum, dtype: 'float32', shape: [4, 0, 3], axes: [1], seed: 65 }),
  reduceCase({ op: Mean, dtype: 'float32', shape: [4, 0], axes: [1], seed: 66 }),
  reduceCase({ op: ArgMax, dtype: 'float32', shape: [3, 0], axes: [1], seed: 67 }),
  reduceCase({ op: Sum, dtype: 'float32', shape: [1], axes: [0], seed: 68 }),
  ...[Sum, Mean, Max, ArgMax].map((op, k) => reduceCase({ op, dtype: 'float32', shape: [MILLION], axes: [0], seed: 70 + k })),
  reduceCase({ op: Sum, dtype: 'int32', shape: [MILLION], axes: [0], values: 'wrap', seed: 74 }),
  reduceCase({ op: Sum, dtype: 'float32', shape: [1024, 1024], axes: [0], seed: 75 }),
  reduceCase({ op: Mean, dtype: 'float32', shape: [32, 16, 7, 7, 64], axes: [0, 1, 2, 3], seed: 76 }),
  reduceCase({ op: Mean, dtype: 'float32', shape: [32, 16, 7, 7, 64], axes: [1, 2, 3], seed: 77 }),
  emptyThenCase({ op: Sum, dtype: 'float32', shape: [0, 5], axes: [1], seed: 78 }, { op: Sum, dtype: 'float32', shape: [2, 5], axes: [1], seed: 79 }),
  softmaxCase({ rows: 32, cols: 51, scale: 10, seed: 80 }),
  softmaxCase({ rows: 1000, cols: 10, scale: 5, seed: 81 }),
  softmaxCase({ rows: 4, cols: 5000, scale: 20, seed: 82 }),
  softmaxCase({ rows: 1, cols: 1, scale: 1, seed: 83 }),
  softmaxCase({ rows: 256, cols: 256, scale: 30, seed: 84 }),
];
