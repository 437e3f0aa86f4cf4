// BatchNorm(+ReLU) in the addon (native/norm/, the MnfBatchNormTrain kernels of backend 'native'):
// output, batch statistics, running statistics and dx/dγ/dβ equal a float64 reference, the composed
// twins (the ops on a backend without the kernels) and the cpu backend's JS kernels; results do
// not depend on the thread count; bad arguments are named.
import { describe, expect, it } from 'vitest';
import { BatchNorm } from '../src/models/layers/batchnorm.js';
import { ParamStore } from '../src/models/params.js';
import { Rng } from '../src/rng.js';
import { addonProblem } from '../src/native/addon.js';
import { deviceInfo, setThreads } from '../src/native/device.js';
import { batchNormTrainBackward, batchNormTrainForward, normKernelsAvailable } from '../src/native/norm.js';
import { tf } from '../src/tf.js';
import { useBackend } from './models-backends.js';
import { expectClose } from './models-fixture.js';
import { BATCHNORM_KERNELS, withoutKernels } from './ops-kernels.js';

const EPS = 1e-5;
const skipReason = addonProblem() ?? (normKernelsAvailable() ? undefined : 'the loaded addon has no batchNormTrainForward (rebuild it)');
if (skipReason) console.log(`native BatchNorm tests skipped: ${skipReason}`);

/** 'native': the addon's kernels; 'composed': the ops' composed twins on backend 'native';
 * 'cpu': the JS kernels of backend 'cpu' */
type Kernel = 'native' | 'composed' | 'cpu';

interface Case {
  rows: number;
  channels: number;
  relu: boolean;
  /** added to every x: a large mean against a unit spread tests the variance's accuracy */
  offset?: number;
  /** y = [ReLU](BN(x) + residual), as a ResNet block adds its shortcut */
  residual?: boolean;
}

interface Inputs {
  x: Float32Array;
  dy: Float32Array;
  gamma: Float32Array;
  beta: Float32Array;
  residual?: Float32Array;
}

function randomInputs({ rows, channels, offset = 0, residual }: Case, seed: number): Inputs {
  const rng = new Rng(seed);
  const spread = Float32Array.from({ length: channels }, () => 0.5 + 2 * rng.next());
  const centre = Float32Array.from({ length: channels }, () => offset + 4 * rng.normal());
  const x = Float32Array.from({ length: rows * channels }, (_, i) => centre[i % channels]! + spread[i % channels]! * rng.normal());
  const dy = Float32Array.from({ length: rows * channels }, () => rng.normal());
  const gamma = Float32Array.from({ length: channels }, () => 2 * rng.normal());
  const beta = Float32Array.from({ length: channels }, () => rng.normal());
  return { x, dy, gamma, beta, residual: residual ? Float32Array.from({ length: rows * channels }, () => rng.normal()) : undefined };
}

interface Result {
  y: Float32Array;
  mean: Float32Array;
  variance: Float32Array;
  dx: Float32Array;
  dGamma: Float32Array;
  dBeta: Float32Array;
  /** empty without a residual */
  dResidual: Float32Array;
  runningMean: Float32Array;
  runningVar: Float32Array;
}

/** Forward in training mode (running statistics updated once) and the gradients of Σ y·dy. */
async function runLayer(kernel: Kernel, c: Case, inputs: Inputs): Promise<Result> {
  await useBackend(kernel === 'cpu' ? 'cpu' : 'native');
  try {
    return kernel === 'composed' ? withoutKernels(BATCHNORM_KERNELS, () => runLayerHere(c, inputs)) : runLayerHere(c, inputs);
  } finally {
    await useBackend('native');
  }
}

function runLayerHere(c: Case, inputs: Inputs): Result {
  const store = new ParamStore(1);
  const bn = new BatchNorm(store, 'bn', c.channels);
  tf.tidy(() => {
    bn.weight.assign(tf.tensor1d(inputs.gamma));
    bn.bias.assign(tf.tensor1d(inputs.beta));
  });
  const [y, dx, dGamma, dBeta, dResidual] = tf.tidy(() => {
    const x = tf.tensor2d(inputs.x, [c.rows, c.channels]);
    const dy = tf.tensor2d(inputs.dy, [c.rows, c.channels]);
    const residual = tf.tensor2d(inputs.residual ?? new Float32Array(c.rows * c.channels), [c.rows, c.channels]);
    const opts = (updateStats: boolean, r: tf.Tensor2D) => ({ relu: c.relu, updateStats, residual: c.residual ? r : undefined });
    const y = bn.apply(x, true, opts(true, residual));
    const f = (input: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, r?: tf.Tensor) => {
      void gamma;
      void beta;
      return tf.sum(tf.mul(bn.apply(input as tf.Tensor2D, true, opts(false, (r ?? residual) as tf.Tensor2D)), dy));
    };
    const grads = tf.grads(f)(c.residual ? [x, bn.weight, bn.bias, residual] : [x, bn.weight, bn.bias]);
    return [y, ...grads].map((t) => t.dataSync() as Float32Array);
  });
  const state = store.getState();
  store.dispose();
  // batch statistics, recovered from the running ones (momentum 0.1 from mean 0, variance 1)
  const n = c.rows;
  const runningMean = state['bn.running_mean']!.data as Float32Array;
  const runningVar = state['bn.running_var']!.data as Float32Array;
  const mean = runningMean.map((m) => m / 0.1);
  const variance = runningVar.map((v) => ((v - 0.9) / 0.1) * ((n - 1) / n));
  return { y: y!, mean, variance, dx: dx!, dGamma: dGamma!, dBeta: dBeta!, dResidual: c.residual ? dResidual! : new Float32Array(0), runningMean, runningVar };
}

/** Float64 BatchNorm; with relu the mask is the implementation's own float32 y > 0 (a y within
 * rounding of 0 may fall on either side). */
function reference(c: Case, { x, dy, gamma, beta, residual }: Inputs, maskFrom: Float32Array): Omit<Result, 'runningMean' | 'runningVar'> & { runningMean: Float64Array; runningVar: Float64Array } {
  const { rows: n, channels: ch } = c;
  const mean = new Float64Array(ch);
  const variance = new Float64Array(ch);
  for (let i = 0; i < n * ch; i++) mean[i % ch] += x[i]! / n;
  for (let i = 0; i < n * ch; i++) variance[i % ch] += (x[i]! - mean[i % ch]!) ** 2 / n;
  const inv = variance.map((v) => 1 / Math.sqrt(v + EPS));
  const xHat = (i: number) => (x[i]! - mean[i % ch]!) * inv[i % ch]!;
  const y = new Float32Array(n * ch);
  const g = new Float64Array(n * ch);
  const dGamma = new Float64Array(ch);
  const dBeta = new Float64Array(ch);
  for (let i = 0; i < n * ch; i++) {
    const v = gamma[i % ch]! * xHat(i) + beta[i % ch]! + (residual ? residual[i]! : 0);
    y[i] = c.relu ? Math.max(v, 0) : v;
    g[i] = c.relu && !(maskFrom[i]! > 0) ? 0 : dy[i]!;
    dGamma[i % ch] += g[i]! * xHat(i);
    dBeta[i % ch] += g[i]!;
  }
  const dx = new Float32Array(n * ch);
  const dResidual = c.residual ? Float32Array.from(g) : new Float32Array(0);
  for (let i = 0; i < n * ch; i++) {
    const j = i % ch;
    dx[i] = gamma[j]! * inv[j]! * (g[i]! - dBeta[j]! / n - (xHat(i) * dGamma[j]!) / n);
  }
  const runningMean = mean.map((m) => 0.1 * m);
  const runningVar = variance.map((v) => 0.9 + (0.1 * v * n) / (n - 1));
  return { y, mean: Float32Array.from(mean), variance: Float32Array.from(variance), dx, dGamma: Float32Array.from(dGamma), dBeta: Float32Array.from(dBeta), dResidual, runningMean, runningVar };
}

/** max |actual − expected| ≤ tol·scale */
function expectWithin(actual: Float32Array, expected: Float32Array, tol: number, scale: number, what: string): void {
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
  expect(worst, `${what}: worst difference (scale ${scale})`).toBeLessThanOrEqual(tol * scale);
}

/** dx = γ·invStd·(g − mean(g) − x̂·mean(g·x̂)): its error scales with the terms, which cancel
 * when the variance is tiny (rows = 2), not with dx itself. */
function dxScale(c: Case, { dy, gamma }: Inputs, expected: ReturnType<typeof reference>): number {
  let maxDy = 0;
  for (const v of dy) maxDy = Math.max(maxDy, Math.abs(v));
  let maxScale = 0;
  for (let j = 0; j < c.channels; j++) maxScale = Math.max(maxScale, Math.abs(gamma[j]!) / Math.sqrt(expected.variance[j]! + EPS));
  let maxDx = 1;
  for (const v of expected.dx) maxDx = Math.max(maxDx, Math.abs(v));
  return Math.max(maxDx, maxScale * maxDy);
}

function expectMatchesReference(kernel: Kernel, c: Case, inputs: Inputs, actual: Result, expected: ReturnType<typeof reference>, tol: number): void {
  expectClose(actual.y, expected.y, tol, `${kernel} y`);
  expectClose(actual.runningMean, expected.runningMean, tol, `${kernel} running_mean`);
  expectClose(actual.runningVar, expected.runningVar, tol, `${kernel} running_var`);
  expectWithin(actual.dx, expected.dx, tol, dxScale(c, inputs, expected), `${kernel} dx`);
  expectClose(actual.dGamma, expected.dGamma, tol, `${kernel} dγ`);
  expectClose(actual.dBeta, expected.dBeta, tol, `${kernel} dβ`);
  expectClose(actual.dResidual, expected.dResidual, tol, `${kernel} d residual`);
}

const cases: Case[] = [
  { rows: 2, channels: 3, relu: false },
  { rows: 2, channels: 3, relu: true },
  { rows: 97, channels: 1, relu: true },
  { rows: 210, channels: 5, relu: false },
  { rows: 210, channels: 37, relu: true },
  { rows: 64, channels: 16, relu: false, offset: 300 },
  // > 64K elements and many row chunks: the multi-threaded path
  { rows: 9001, channels: 33, relu: true },
  { rows: 4099, channels: 64, relu: false },
  { rows: 300, channels: 7, relu: true, residual: true },
  { rows: 30, channels: 4, relu: false, residual: true },
  { rows: 8192, channels: 24, relu: true, residual: true },
];

describe.skipIf(skipReason !== undefined)('BatchNorm in the addon (backend native)', () => {
  for (const c of cases) {
    const name = `rows ${c.rows}, ${c.channels} channels${c.residual ? ', + residual' : ''}${c.relu ? ', ReLU' : ''}${c.offset ? `, mean ≈ ${c.offset}` : ''}`;
    it(`${name}: native = float64 reference = composed twins = cpu kernels`, async () => {
      await useBackend('native');
      const inputs = randomInputs(c, c.rows * 131 + c.channels);
      const before = tf.memory().numTensors;
      const native = await runLayer('native', c, inputs);
      expect(tf.memory().numTensors, 'no tensor left behind').toBe(before);
      expectMatchesReference('native', c, inputs, native, reference(c, inputs, native.y), 1e-5);
      // batch statistics themselves (the relative error of the mean is larger where |mean| ≫ spread)
      const expected = reference(c, inputs, native.y);
      expectClose(native.mean, expected.mean, 1e-4, 'native batch mean');
      expectClose(native.variance, expected.variance, 1e-4, 'native batch variance');
      for (const other of ['composed', 'cpu'] as const) {
        const result = await runLayer(other, c, inputs);
        // the composed float32 ops compute x·scale + (β − mean·scale): with |mean| ≫ spread the
        // two terms nearly cancel, so they are only ~1e-3 accurate there
        const tol = other === 'composed' && c.offset ? 1e-3 : 1e-5;
        expectMatchesReference(other, c, inputs, result, reference(c, inputs, result.y), tol);
        if ((!c.relu || c.rows * c.channels < 2000) && tol < 1e-4) {
          // without ReLU, or small enough that no y lies within rounding of 0, directly equal
          for (const key of ['y', 'dx', 'dGamma', 'dBeta', 'dResidual', 'runningMean', 'runningVar'] as const) {
            expectClose(native[key], result[key], 1e-4, `native vs ${other} ${key}`);
          }
        }
      }
      if (c.relu) expect(native.y.reduce((a, b) => Math.min(a, b))).toBe(0);
    });
  }

  it("the layer on backend 'native' runs the addon's kernels", async () => {
    await useBackend('native');
    const c: Case = { rows: 50, channels: 7, relu: true };
    const inputs = randomInputs(c, 5);
    const seen: string[] = [];
    const store = new ParamStore(1);
    const bn = new BatchNorm(store, 'bn', c.channels);
    const { recordKernelCalls } = await import('../src/backend/native/kernels/recorder.js');
    const stop = recordKernelCalls((call) => seen.push(call.kernel));
    tf.tidy(() => tf.grads((x: tf.Tensor) => tf.sum(bn.apply(x as tf.Tensor2D, true, { relu: true })))([tf.tensor2d(inputs.x, [c.rows, c.channels])]));
    stop();
    store.dispose();
    expect(seen).toContain('MnfBatchNormTrain');
    expect(seen).toContain('MnfBatchNormTrainGrad');
  });

  it('a residual of another shape is refused, naming the layer', async () => {
    await useBackend('native');
    const store = new ParamStore(1);
    const bn = new BatchNorm(store, 'layer1.0.bn2', 3);
    expect(() => tf.tidy(() => bn.apply(tf.ones([4, 3]), true, { relu: true, residual: tf.ones([2, 3]) }))).toThrow(
      /layer1\.0\.bn2: residual shape \[2,3\] differs from the input's \[4,3\]/,
    );
    store.dispose();
  });

  it('returns the batch mean, the biased variance and 1/√(var + eps) (large mean, many chunks)', () => {
    const c: Case = { rows: 20011, channels: 5, relu: false, offset: 1000 };
    const inputs = randomInputs(c, 9);
    const f = batchNormTrainForward(inputs.x, c.rows, c.channels, inputs.gamma, inputs.beta, EPS, false);
    const expected = reference(c, inputs, f.y);
    expectClose(f.mean, expected.mean, 1e-6, 'mean');
    expectClose(f.variance, expected.variance, 1e-6, 'variance');
    expectClose(f.invStd, expected.variance.map((v) => 1 / Math.sqrt(v + EPS)), 1e-6, 'invStd');
  });

  it('gives bit-identical results for 1, 2 and 3 threads', () => {
    const c: Case = { rows: 6007, channels: 24, relu: true };
    const { x, dy, gamma, beta } = randomInputs(c, 77);
    const initial = deviceInfo().threads;
    const runs = [1, 2, 3].map((threads) => {
      setThreads(threads);
      const f = batchNormTrainForward(x, c.rows, c.channels, gamma, beta, EPS, true);
      const b = batchNormTrainBackward(dy, x, f.y, f.mean, f.invStd, gamma, c.rows, c.channels, true);
      return [f.y, f.mean, f.variance, f.invStd, b.dx, b.dGamma, b.dBeta].map((a) => Buffer.from(a.buffer).toString('base64'));
    });
    setThreads(initial);
    expect(runs[1]).toEqual(runs[0]);
    expect(runs[2]).toEqual(runs[0]);
  });

  it('names the argument that is wrong', () => {
    const rows = 4;
    const channels = 3;
    const x = new Float32Array(rows * channels);
    const v = new Float32Array(channels);
    const forward = (...args: unknown[]) => () => (batchNormTrainForward as (...a: unknown[]) => unknown)(...args);
    const backward = (...args: unknown[]) => () => (batchNormTrainBackward as (...a: unknown[]) => unknown)(...args);
    expect(forward(new Float32Array(11), rows, channels, v, v, EPS, false)).toThrow(/^x: shape \[4, ?3\] needs 12 elements, got 11/);
    expect(forward(new Float64Array(12), rows, channels, v, v, EPS, false)).toThrow(/^x: expected a Float32Array/);
    expect(forward(x, rows, channels, new Float32Array(2), v, EPS, false)).toThrow(/^gamma: shape \[3\] needs 3 elements, got 2/);
    expect(forward(x, rows, channels, v, new Float32Array(4), EPS, false)).toThrow(/^beta: /);
    expect(forward(x, rows, channels, v, v, Number.NaN, false)).toThrow(/^eps: expected a finite number >= 0/);
    expect(forward(x, rows, channels, v, v, -1, false)).toThrow(/^eps: /);
    expect(forward(x, 0, channels, v, v, EPS, false)).toThrow(/rows: expected >= 1, got 0/);
    expect(forward(x, rows, 2.5, v, v, EPS, false)).toThrow(/^channels: expected an integer/);
    expect(forward(x, rows, channels, v, v, EPS)).toThrow(/missing argument 6 \(relu\)/);
    expect(forward(x, rows, channels, v, v, EPS, 1)).toThrow(/^relu: expected a boolean/);
    expect(forward(x, rows, channels, v, v, EPS, true, new Float32Array(13))).toThrow(/^residual: shape \[4, ?3\] needs 12 elements, got 13/);
    expect(forward(x, rows, channels, v, v, EPS, true, [1, 2])).toThrow(/^residual: expected a Float32Array/);
    expect(backward(x, x, x, v, v, v, rows, channels, true, 'yes')).toThrow(/^residual: expected a boolean/);
    expect(backward(new Float32Array(5), x, null, v, v, v, rows, channels, false)).toThrow(/^dy: shape/);
    expect(backward(x, new Float32Array(5), null, v, v, v, rows, channels, false)).toThrow(/^x: shape/);
    expect(backward(x, x, null, v, v, v, rows, channels, true)).toThrow(/^y: expected a Float32Array/);
    expect(backward(x, x, new Float32Array(3), v, v, v, rows, channels, true)).toThrow(/^y: shape/);
    expect(backward(x, x, null, new Float32Array(1), v, v, rows, channels, false)).toThrow(/^mean: shape/);
    expect(backward(x, x, null, v, new Float32Array(1), v, rows, channels, false)).toThrow(/^invStd: shape/);
    expect(backward(x, x, null, v, v, new Float32Array(1), rows, channels, false)).toThrow(/^gamma: shape/);
    expect(backward(x, x, null, v, v, v, rows, -3, false)).toThrow(/channels: expected >= 1, got -3/);
  });
});
