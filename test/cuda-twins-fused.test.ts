// The fused ops' CUDA kernels (BatchNorm, running statistics, Adam, CSC) against their emulated twins,
// and the case builders' emulated outputs against references written here in JS (and the CSC's
// composed tfjs twin), so the cases are proven where no GPU is; the group Adam op's argument checks,
// and that a training step on backend cuda runs it once per parameter group.
import { afterAll, describe, expect, it, vi } from 'vitest';
import { initBackend } from '../src/backend/select.js';
import { resolveConfig } from '../src/config/presets.js';
import type { RunConfig } from '../src/config/types.js';
import { cscLossComposed } from '../src/losses/csc-composed.js';
import { addonProblem, loadAddon } from '../src/native/addon.js';
import { deviceAdamUpdateGroup, type DeviceAdamTensor } from '../src/native/device-ops-conv-matmul.js';
import {
  adamCase,
  adamGroupCase,
  adamGroupInputs,
  adamHyper,
  adamInputs,
  batchNormForwardCase,
  batchNormGradCase,
  batchNormInputs,
  cscCase,
  cscInputs,
  FUSED_TWIN_CASES,
  runningStatsCase,
  runningStatsInputs,
  TINY_STUDENT_PARAM_SHAPES,
  type AdamGroupSpec,
  type AdamSpec,
  type BatchNormSpec,
  type CscSpec,
} from '../src/native/twins/fused.js';
import { allocate, relativeError } from '../src/native/twins/buffers.js';
import { buildStepParts, createTrainer } from '../src/train/trainer.js';
import { tf } from '../src/tf.js';
import { describeTwinCases, emulated } from './cuda-twin.js';
import { makeBatch, microConfig } from './trainer-fixture.js';

/** the parameter shapes of the config's two Adam groups: the student's and the head's */
function groupShapes(config: RunConfig): number[][][] {
  const parts = buildStepParts(config);
  const shapes = [parts.student.store, parts.head.store].map((store) => [...store.params.values()].map((p) => p.shape));
  parts.studentOptimizer.dispose();
  parts.headOptimizer.dispose();
  parts.student.store.dispose();
  parts.head.store.dispose();
  return shapes;
}

describe.skipIf(addonProblem() !== undefined)('fused twin cases', () => {
  describeTwinCases('fused', FUSED_TWIN_CASES);

  describe('emulated outputs against JS references', () => {
    const EPS = 1e-5;

    /** BatchNorm training forward and gradient in double, as PyTorch defines them */
    function batchNormReference(s: BatchNormSpec) {
      const input = batchNormInputs(s);
      const { rows: n, channels: C } = s;
      const y = new Float64Array(n * C);
      const dx = new Float64Array(n * C);
      const dResidual = new Float64Array(n * C);
      const mean = new Float64Array(C);
      const variance = new Float64Array(C);
      const invStd = new Float64Array(C);
      const dGamma = new Float64Array(C);
      const dBeta = new Float64Array(C);
      for (let c = 0; c < C; c++) {
        const col = (r: number) => r * C + c;
        let sum = 0;
        for (let r = 0; r < n; r++) sum += input.x[col(r)]!;
        mean[c] = sum / n;
        let squares = 0;
        for (let r = 0; r < n; r++) squares += (input.x[col(r)]! - mean[c]!) ** 2;
        variance[c] = squares / n;
        invStd[c] = 1 / Math.sqrt(variance[c]! + EPS);
        for (let r = 0; r < n; r++) {
          const v = input.gamma[c]! * (input.x[col(r)]! - mean[c]!) * invStd[c]! + input.beta[c]! + (input.residual?.[col(r)] ?? 0);
          y[col(r)] = s.relu ? Math.max(v, 0) : v;
        }
        // the gradient, at the inputs' own mean and invStd
        const m = input.mean[c]!;
        const inv = input.invStd[c]!;
        const g = (r: number) => (s.relu && !(input.y[col(r)]! > 0) ? 0 : input.dy[col(r)]!);
        let sumG = 0;
        let sumGXhat = 0;
        for (let r = 0; r < n; r++) {
          sumG += g(r);
          sumGXhat += g(r) * (input.x[col(r)]! - m) * inv;
        }
        dBeta[c] = sumG;
        dGamma[c] = sumGXhat;
        for (let r = 0; r < n; r++) {
          const xhat = (input.x[col(r)]! - m) * inv;
          dx[col(r)] = input.gamma[c]! * inv * (g(r) - sumG / n - (xhat * sumGXhat) / n);
          dResidual[col(r)] = g(r);
        }
      }
      return { forward: [y, mean, variance, invStd], grad: s.residual ? [dx, dGamma, dBeta, dResidual] : [dx, dGamma, dBeta] };
    }

    const expectAllClose = (actual: ArrayLike<number>[], expected: ArrayLike<number>[], tolerance: number) => {
      expect(actual.length).toBe(expected.length);
      actual.forEach((values, k) => expect(relativeError(values, expected[k]!), `output ${k}`).toBeLessThan(tolerance));
    };

    it.each<BatchNormSpec>([
      { rows: 6, channels: 3, relu: true, residual: true, seed: 1 },
      { rows: 2, channels: 7, relu: false, residual: false, seed: 2 },
      { rows: 300, channels: 40, relu: true, residual: false, offset: 100, seed: 3 },
    ])('BatchNormTrain and its gradient: rows $rows channels $channels relu $relu residual $residual', async (s) => {
      const expected = batchNormReference(s);
      expectAllClose(await batchNormForwardCase(s).run(emulated), expected.forward, 1e-5);
      expectAllClose(await batchNormGradCase(s).run(emulated), expected.grad, 1e-5);
    });

    it('BatchNormRunningStats rounds each product and the sum to float32 (PyTorch rule, unbiased variance)', async () => {
      const s = { channels: 33, rows: 10, momentum: 0.1, seed: 4 };
      const input = runningStatsInputs(s);
      const f = Math.fround;
      const keep = f(1 - s.momentum);
      const take = f(s.momentum);
      const unbias = f((s.momentum * s.rows) / (s.rows - 1));
      const mean = input.mean.map((m, i) => f(f(input.runningMean[i]! * keep) + f(m * take)));
      const variance = input.variance.map((v, i) => f(f(input.runningVar[i]! * keep) + f(v * unbias)));
      expect(await runningStatsCase(s).run(emulated)).toEqual([mean, variance]);
    });

    /** torch.optim.Adam's step in JS doubles, each output rounded to float32 once */
    function adamReference(h: ReturnType<typeof adamHyper>, input: ReturnType<typeof adamInputs>): Float32Array[] {
      const { param, grad, m, v } = input;
      const out = [new Float32Array(param.length), new Float32Array(param.length), new Float32Array(param.length)];
      for (let i = 0; i < param.length; i++) {
        const g = grad[i]! + h.weightDecay * param[i]!;
        const mi = h.beta1 * m[i]! + (1 - h.beta1) * g;
        const vi = h.beta2 * v[i]! + (1 - h.beta2) * g * g;
        out[0]![i] = param[i]! - (h.stepSize * mi) / (Math.sqrt(vi) / h.bc2Sqrt + h.eps);
        out[1]![i] = mi;
        out[2]![i] = vi;
      }
      return out;
    }

    it.each<AdamSpec>([
      { count: 500, step: 3, weightDecay: 5e-4, inPlace: false, seed: 5 },
      { count: 500, step: 3, weightDecay: 5e-4, inPlace: true, seed: 5 },
    ])('AdamUpdate (a group of one) equals the JS loop bit for bit (in place: $inPlace)', async (s) => {
      expect(await adamCase(s).run(emulated)).toEqual(adamReference(adamHyper(s), adamInputs(s)));
    });

    it.each<AdamGroupSpec>([
      { counts: [1, 3, 700, 0, 64], step: 4, weightDecay: 5e-4, inPlace: false, seed: 6 },
      { counts: [1, 3, 700, 0, 64], step: 4, weightDecay: 5e-4, inPlace: true, seed: 6 },
    ])('AdamUpdateGroup equals the JS loop bit for bit on every tensor (in place: $inPlace)', async (s) => {
      const expected = adamGroupInputs(s).filter((input) => input.param.length > 0).flatMap((input) => adamReference(adamHyper(s), input));
      expect(await adamGroupCase(s).run(emulated)).toEqual(expected);
    });

    it.each<CscSpec>([
      { batch: 5, dim: 3, classes: 5, theta: 0.07, calibrated: true },
      { batch: 37, dim: 64, classes: 4, theta: 0.07, calibrated: true, zeroTeacherRows: [0, 5, 36] },
      { batch: 37, dim: 19, classes: 4, theta: 0.2, calibrated: false },
    ])('CscLoss equals the composed tfjs twin: B $batch D $dim calibrated $calibrated', async (s) => {
      const a = cscInputs(s);
      const expected = tf.tidy(() => {
        const shape: [number, number] = [s.batch, s.dim];
        const aSel = tf.tensor2d(a.aSel, shape);
        const labels = tf.tensor1d(a.labels, 'int32');
        const f = (v: tf.Tensor, z: tf.Tensor) => cscLossComposed(v as tf.Tensor2D, z as tf.Tensor2D, aSel, labels, { theta: s.theta, calibrated: s.calibrated });
        const { value, grads } = tf.valueAndGrads(f)([tf.tensor2d(a.v, shape), tf.tensor2d(a.z, shape)]);
        return [value, ...grads].map((t) => t.dataSync() as Float32Array);
      });
      if (s.zeroTeacherRows) expect(Array.from(a.aSel.subarray(0, s.dim)).every((x) => x === 0)).toBe(true);
      expectAllClose(await cscCase(s).run(emulated), expected, 1e-5);
    });
  });

  describe('deviceAdamUpdateGroup', () => {
    const h = adamHyper({ step: 1, weightDecay: 0 });
    /** a tensor of `count` values with its own seven buffers */
    const tensor = (count: number): DeviceAdamTensor => {
      const [param, grad, m, v, paramOut, mOut, vOut] = Array.from({ length: 7 }, () => allocate(emulated, count)) as [number, number, number, number, number, number, number];
      return { param, grad, m, v, paramOut, mOut, vOut, count };
    };
    const free = (...tensors: DeviceAdamTensor[]) => {
      const ids = new Set(tensors.flatMap((t) => [t.param, t.grad, t.m, t.v, t.paramOut, t.mOut, t.vOut]));
      for (const id of ids) emulated.free(id);
    };

    it('checks every buffer against its count, and the buffer ids against the counts, in one line naming the tensor', () => {
      const a = tensor(4);
      const b = tensor(5);
      expect(() => deviceAdamUpdateGroup(emulated, [a, { ...b, count: 4 }], h)).toThrow(/^tensors\[1\]\.param: expected a buffer of 16 bytes \(its shape × dtype\), buffer \d+ has 20$/);
      expect(() => deviceAdamUpdateGroup(emulated, [a, { ...b, count: -1 }], h)).toThrow(/^counts\[1\]: expected >= 0, got -1$/);
      expect(() => loadAddon().deviceAdamUpdateGroup(emulated.handle, [4, 5], h.stepSize, h.beta1, h.beta2, h.eps, h.weightDecay, h.bc2Sqrt, a.param)).toThrow(
        /^buffers: expected 7 buffer ids per tensor \(14 for 2 counts\), got 1$/,
      );
      free(a, b);
    });

    it("rejects a tensor whose outputs share a buffer or use a buffer another tensor writes", () => {
      const a = tensor(4);
      const b = tensor(4);
      expect(() => deviceAdamUpdateGroup(emulated, [{ ...a, vOut: a.mOut }], h)).toThrow(/^tensors\[0\]\.vOut: the same buffer as tensors\[0\]\.mOut$/);
      expect(() => deviceAdamUpdateGroup(emulated, [a, { ...b, grad: a.paramOut }], h)).toThrow(/^tensors\[1\]\.grad: a buffer tensors\[0\] writes$/);
      expect(() => deviceAdamUpdateGroup(emulated, [a, { ...b, mOut: a.mOut }], h)).toThrow(/^tensors\[1\]\.mOut: a buffer tensors\[0\] writes$/);
      // reading the same buffer twice is fine (two tensors with one gradient), and so is an empty group
      deviceAdamUpdateGroup(emulated, [a, { ...b, grad: a.grad }], h);
      deviceAdamUpdateGroup(emulated, [], h);
      free(a, b);
    });

    it("TINY_STUDENT_PARAM_SHAPES are the 'tiny' preset's student parameters", () => {
      expect(groupShapes(resolveConfig('tiny'))[0]).toEqual(TINY_STUDENT_PARAM_SHAPES);
    });
  });

  describe('backend cuda (emulated device) in a training step', () => {
    afterAll(() => initBackend('native'));

    it('runs one deviceAdamUpdateGroup per parameter group (student, head), each over all of its parameters', async () => {
      await initBackend('cuda', { device: 'emulated' });
      const addon = loadAddon();
      const group = vi.spyOn(addon, 'deviceAdamUpdateGroup');
      try {
        const config = microConfig({ method: 'mnf-csc' });
        const expected = groupShapes(config).map((shapes) => shapes.map((shape) => shape.reduce((a, b) => a * b, 1)));
        const trainer = createTrainer(config);
        await trainer.step(makeBatch(1));
        await trainer.step(makeBatch(2));
        expect(group.mock.calls.map((call) => call[1])).toEqual([...expected, ...expected]);
        trainer.dispose();
      } finally {
        group.mockRestore();
      }
    }, 60_000);
  });
});
