// Twin cases of the fused device ops (native/device/cuda/fused.cu, native/csc/csc.cu): BatchNorm's
// training forward and gradient, its running statistics, the Adam step of a parameter group and the CSC loss, each on
// inputs built here deterministically, so that a GPU's outputs can be held against the emulated
// device's (the CPU code of native/norm, native/kernels/adam.cc and native/csc).
import {
  deviceAdamUpdateGroup,
  deviceBatchNormRunningStats,
  deviceBatchNormTrain,
  deviceBatchNormTrainGrad,
  deviceCscLoss,
  type DeviceAdamHyper,
} from '../device-ops-conv-matmul.js';
import { cscTwinInputs } from '../twin-check.js';
import type { CscArrays } from '../csc.js';
import { randomValues } from './buffers.js';
import { withCaseBuffers, type CaseBuffers } from './case-buffers.js';
import type { TwinCase } from './types.js';

const FAMILY = 'fused';
/** per-channel sums in double on both sides, in a different order */
const BATCH_NORM_TOLERANCE = 1e-5;
/** the same float32 steps on both sides: exact, one float32 ulp (at magnitudes below 4) allowed */
const ELEMENTWISE_TOLERANCE = 2 ** -22;
/** float32 GEMMs summing in different orders (oneDNN and the CUDA tiles) */
const CSC_TOLERANCE = 1e-4;
const BATCH_NORM_EPS = 1e-5;

/** the buffer's `count` float32 values */
const floats = (b: CaseBuffers, id: number, count: number) => b.read(id, new Float32Array(count));

export interface BatchNormSpec {
  rows: number;
  channels: number;
  relu: boolean;
  residual: boolean;
  /** added to every x: a mean far from zero against the spread (the forward's shifted sums) */
  offset?: number;
  seed: number;
}

export interface BatchNormInputs {
  /** (rows, channels) */
  x: Float32Array;
  residual?: Float32Array;
  /** (channels) */
  gamma: Float32Array;
  beta: Float32Array;
  /** the gradient's inputs: dy (rows, channels); y, a ReLU output (half of it +0) for the mask */
  dy: Float32Array;
  y: Float32Array;
  /** x's batch mean and 1/√(variance + eps), rounded to float32 */
  mean: Float32Array;
  invStd: Float32Array;
}

export function batchNormInputs(s: BatchNormSpec): BatchNormInputs {
  const size = s.rows * s.channels;
  const x = randomValues(size, s.seed, 2);
  if (s.offset) for (let i = 0; i < size; i++) x[i] = x[i]! + s.offset;
  const gamma = randomValues(s.channels, s.seed + 1).map((g) => 1 + 0.5 * g);
  const mean = new Float32Array(s.channels);
  const invStd = new Float32Array(s.channels);
  for (let c = 0; c < s.channels; c++) {
    let sum = 0;
    for (let r = 0; r < s.rows; r++) sum += x[r * s.channels + c]!;
    const m = sum / s.rows;
    let squares = 0;
    for (let r = 0; r < s.rows; r++) squares += (x[r * s.channels + c]! - m) ** 2;
    mean[c] = m;
    invStd[c] = 1 / Math.sqrt(squares / s.rows + BATCH_NORM_EPS);
  }
  return {
    x,
    residual: s.residual ? randomValues(size, s.seed + 2) : undefined,
    gamma,
    beta: randomValues(s.channels, s.seed + 3, 0.5),
    dy: randomValues(size, s.seed + 4),
    y: randomValues(size, s.seed + 5).map((v) => Math.max(v, 0)),
    mean,
    invStd,
  };
}

const shapeName = (s: BatchNormSpec) =>
  `rows ${s.rows} channels ${s.channels}${s.relu ? ' relu' : ''}${s.residual ? ' residual' : ''}${s.offset ? ` offset ${s.offset}` : ''}`;

/** deviceBatchNormTrain; outputs y, mean, variance, invStd */
export function batchNormForwardCase(s: BatchNormSpec): TwinCase {
  return {
    family: FAMILY,
    name: `BatchNormTrain ${shapeName(s)}`,
    tolerance: BATCH_NORM_TOLERANCE,
    run: (device) =>
      withCaseBuffers(device, (b) => {
        const input = batchNormInputs(s);
        const size = s.rows * s.channels;
        const out = { y: b.allocate(size), mean: b.allocate(s.channels), variance: b.allocate(s.channels), invStd: b.allocate(s.channels) };
        const residual = input.residual ? b.upload(input.residual) : undefined;
        deviceBatchNormTrain(device, b.upload(input.x), s.rows, s.channels, b.upload(input.gamma), b.upload(input.beta), residual, BATCH_NORM_EPS, s.relu, out);
        return [floats(b, out.y, size), floats(b, out.mean, s.channels), floats(b, out.variance, s.channels), floats(b, out.invStd, s.channels)];
      }),
  };
}

/** deviceBatchNormTrainGrad; outputs dx, dGamma, dBeta [, dResidual] */
export function batchNormGradCase(s: BatchNormSpec): TwinCase {
  return {
    family: FAMILY,
    name: `BatchNormTrainGrad ${shapeName(s)}`,
    tolerance: BATCH_NORM_TOLERANCE,
    run: (device) =>
      withCaseBuffers(device, (b) => {
        const input = batchNormInputs(s);
        const size = s.rows * s.channels;
        const out = { dx: b.allocate(size), dGamma: b.allocate(s.channels), dBeta: b.allocate(s.channels), dResidual: s.residual ? b.allocate(size) : undefined };
        const y = s.relu ? b.upload(input.y) : undefined;
        deviceBatchNormTrainGrad(device, b.upload(input.dy), b.upload(input.x), y, b.upload(input.mean), b.upload(input.invStd), b.upload(input.gamma), s.rows, s.channels, s.relu, out);
        const outputs = [floats(b, out.dx, size), floats(b, out.dGamma, s.channels), floats(b, out.dBeta, s.channels)];
        if (out.dResidual !== undefined) outputs.push(floats(b, out.dResidual, size));
        return outputs;
      }),
  };
}

export interface RunningStatsSpec {
  channels: number;
  rows: number;
  momentum: number;
  seed: number;
}

export function runningStatsInputs(s: RunningStatsSpec): { runningMean: Float32Array; runningVar: Float32Array; mean: Float32Array; variance: Float32Array } {
  const positive = (seed: number) => randomValues(s.channels, seed).map((v) => 1.5 + v);
  return { runningMean: randomValues(s.channels, s.seed), runningVar: positive(s.seed + 1), mean: randomValues(s.channels, s.seed + 2), variance: positive(s.seed + 3) };
}

/** deviceBatchNormRunningStats; outputs mean', var' */
export function runningStatsCase(s: RunningStatsSpec): TwinCase {
  return {
    family: FAMILY,
    name: `BatchNormRunningStats channels ${s.channels} rows ${s.rows} momentum ${s.momentum}`,
    tolerance: ELEMENTWISE_TOLERANCE,
    run: (device) =>
      withCaseBuffers(device, (b) => {
        const input = runningStatsInputs(s);
        const meanOut = b.allocate(s.channels);
        const varOut = b.allocate(s.channels);
        deviceBatchNormRunningStats(device, b.upload(input.runningMean), b.upload(input.runningVar), b.upload(input.mean), b.upload(input.variance), s.channels, s.momentum, s.rows, meanOut, varOut);
        return [floats(b, meanOut, s.channels), floats(b, varOut, s.channels)];
      }),
  };
}

/** The hyper-parameters of an Adam step (adamHyper). */
export interface AdamStepSpec {
  /** the step t the bias corrections are for */
  step: number;
  weightDecay: number;
}

export interface AdamSpec extends AdamStepSpec {
  count: number;
  /** outputs written over the inputs (paramOut = param, mOut = m, vOut = v) */
  inPlace: boolean;
  seed: number;
}

export interface AdamGroupSpec extends AdamStepSpec {
  /** each tensor's values */
  counts: readonly number[];
  /** every tensor's outputs written over its inputs */
  inPlace: boolean;
  /** tensor t's inputs are adamInputs with seed + 4·t */
  seed: number;
  /** the case's name instead of its counts */
  label?: string;
}

/** torch.optim.Adam's defaults at lr 1e-3 for step t */
export function adamHyper(s: AdamStepSpec): DeviceAdamHyper {
  const beta1 = 0.9;
  const beta2 = 0.999;
  return { stepSize: 1e-3 / (1 - beta1 ** s.step), beta1, beta2, eps: 1e-8, weightDecay: s.weightDecay, bc2Sqrt: Math.sqrt(1 - beta2 ** s.step) };
}

export function adamInputs(s: { count: number; seed: number }): { param: Float32Array; grad: Float32Array; m: Float32Array; v: Float32Array } {
  return {
    param: randomValues(s.count, s.seed),
    grad: randomValues(s.count, s.seed + 1, 0.1),
    m: randomValues(s.count, s.seed + 2, 0.01),
    v: randomValues(s.count, s.seed + 3, 0.01).map((x) => x * x),
  };
}

/** each tensor's inputs of a group */
export const adamGroupInputs = (s: AdamGroupSpec) => s.counts.map((count, t) => adamInputs({ count, seed: s.seed + 4 * t }));

/** deviceAdamUpdateGroup over the group; outputs param', m', v' of each non-empty tensor in turn */
export function adamGroupCase(s: AdamGroupSpec): TwinCase {
  const counts = s.label ?? (s.counts.length === 1 ? `count ${s.counts[0]}` : `counts [${s.counts.join(', ')}]`);
  return {
    family: FAMILY,
    name: `AdamUpdateGroup ${counts} step ${s.step} weightDecay ${s.weightDecay}${s.inPlace ? ' in place' : ''}`,
    tolerance: ELEMENTWISE_TOLERANCE,
    run: (device) =>
      withCaseBuffers(device, (b) => {
        const tensors = adamGroupInputs(s).map((input, t) => {
          const count = s.counts[t]!;
          const [param, grad, m, v] = [input.param, input.grad, input.m, input.v].map((values) => b.upload(values)) as [number, number, number, number];
          const [paramOut, mOut, vOut] = s.inPlace ? [param, m, v] : [b.allocate(count), b.allocate(count), b.allocate(count)];
          return { param, grad, m, v, paramOut, mOut, vOut, count };
        });
        deviceAdamUpdateGroup(device, tensors, adamHyper(s));
        return tensors.filter((t) => t.count > 0).flatMap((t) => [floats(b, t.paramOut, t.count), floats(b, t.mOut, t.count), floats(b, t.vOut, t.count)]);
      }),
  };
}

/** a group of one tensor; outputs param', m', v' */
export const adamCase = (s: AdamSpec): TwinCase => adamGroupCase({ counts: [s.count], step: s.step, weightDecay: s.weightDecay, inPlace: s.inPlace, seed: s.seed });

/** The 'tiny' preset's R(2+1)D-10 student parameters (train/trainer.ts's buildStepParts): 65 tensors, as
 *  many as the ucf51 student's, at a quarter of its width. */
export const TINY_STUDENT_PARAM_SHAPES: readonly (readonly number[])[] = [
  [1, 7, 7, 3, 36], [36], [36], [3, 1, 1, 36, 16], [16], [16],
  [1, 3, 3, 16, 36], [36], [36], [3, 1, 1, 36, 16], [16], [16],
  [1, 3, 3, 16, 36], [36], [36], [3, 1, 1, 36, 16], [16], [16],
  [1, 3, 3, 16, 57], [57], [57], [3, 1, 1, 57, 32], [32], [32],
  [1, 3, 3, 32, 72], [72], [72], [3, 1, 1, 72, 32], [32], [32],
  [1, 1, 1, 16, 32], [32], [32],
  [1, 3, 3, 32, 115], [115], [115], [3, 1, 1, 115, 64], [64], [64],
  [1, 3, 3, 64, 144], [144], [144], [3, 1, 1, 144, 64], [64], [64],
  [1, 1, 1, 32, 64], [64], [64],
  [1, 3, 3, 64, 144], [144], [144], [3, 1, 1, 144, 64], [64], [64],
  [1, 3, 3, 64, 144], [144], [144], [3, 1, 1, 144, 64], [64], [64],
  [1, 1, 1, 64, 64], [64], [64],
  [64, 4], [4],
];

const shapeSize = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

export interface CscSpec {
  batch: number;
  dim: number;
  classes: number;
  theta: number;
  calibrated: boolean;
  /** rows of the teacher features ã set to zero (τ = θ against them) */
  zeroTeacherRows?: number[];
}

/** cscTwinInputs (twin-check.ts) with the spec's teacher rows zeroed */
export function cscInputs(s: CscSpec): CscArrays {
  const args = cscTwinInputs(s.batch, s.dim, s.classes, s.theta, s.calibrated);
  for (const row of s.zeroTeacherRows ?? []) args.aSel.fill(0, row * s.dim, (row + 1) * s.dim);
  return args;
}

/** deviceCscLoss; outputs loss (1 value), dL/dv, dL/dz */
export function cscCase(s: CscSpec): TwinCase {
  const zero = s.zeroTeacherRows?.length ? ` ${s.zeroTeacherRows.length} zero teacher rows` : '';
  return {
    family: FAMILY,
    name: `CscLoss B ${s.batch} D ${s.dim} classes ${s.classes} θ ${s.theta}${s.calibrated ? '' : ' uncalibrated'}${zero}`,
    tolerance: CSC_TOLERANCE,
    run: (device) =>
      withCaseBuffers(device, (b) => {
        const a = cscInputs(s);
        const size = s.batch * s.dim;
        const loss = b.allocate(1);
        const dv = b.allocate(size);
        const dz = b.allocate(size);
        deviceCscLoss(device, b.upload(a.v), b.upload(a.z), b.upload(a.aSel), b.upload(a.labels), s.batch, s.dim, s.theta, s.calibrated, loss, dv, dz);
        return [floats(b, loss, 1), floats(b, dv, size), floats(b, dz, size)];
      }),
  };
}

const every = (step: number, below: number) => Array.from({ length: Math.ceil(below / step) }, (_, k) => k * step);

// Sizes: each case's outputs stay near 10⁵ values (the emulated device's check compares two runs
// value by value). rows ≫ channels still spans hundreds of row tiles on a GPU, the last one ragged.
const TALL = { rows: 1025, channels: 64 };
const BATCH_NORM_SPECS: BatchNormSpec[] = [
  ...[false, true].flatMap((relu) => [false, true].map((residual) => ({ ...TALL, relu, residual, seed: 11 }))),
  { rows: 4, channels: 2048, relu: true, residual: true, seed: 12 },
  { rows: 4, channels: 2048, relu: false, residual: false, seed: 13 },
  { rows: 2, channels: 7, relu: true, residual: false, seed: 14 },
  { rows: 2, channels: 7, relu: false, residual: true, seed: 15 },
  { rows: 5000, channels: 3, relu: true, residual: true, seed: 16 },
  { rows: 20_011, channels: 5, relu: false, residual: false, seed: 17 },
  { rows: 4096, channels: 16, relu: true, residual: false, offset: 100, seed: 18 },
];

export const FUSED_TWIN_CASES: readonly TwinCase[] = [
  ...BATCH_NORM_SPECS.map(batchNormForwardCase),
  ...BATCH_NORM_SPECS.map(batchNormGradCase),
  runningStatsCase({ channels: 64, rows: TALL.rows, momentum: 0.1, seed: 21 }),
  runningStatsCase({ channels: 3000, rows: 2, momentum: 0.01, seed: 22 }),
  runningStatsCase({ channels: 1, rows: 3, momentum: 0.9, seed: 23 }),
  adamCase({ count: 1, step: 1, weightDecay: 0, inPlace: false, seed: 31 }),
  adamCase({ count: 1000, step: 3, weightDecay: 0, inPlace: false, seed: 32 }),
  adamCase({ count: (1 << 15) + 3, step: 100, weightDecay: 1e-4, inPlace: false, seed: 33 }),
  adamCase({ count: 4097, step: 7, weightDecay: 5e-4, inPlace: true, seed: 34 }),
  adamGroupCase({ counts: [1, 3, 1 << 16], step: 2, weightDecay: 5e-4, inPlace: false, seed: 35 }),
  adamGroupCase({ counts: [1, 3, 1 << 16], step: 2, weightDecay: 5e-4, inPlace: true, seed: 36 }),
  // more tensors than one CUDA launch takes (fused.cu's kTensorsPerAdamLaunch), one of them empty
  adamGroupCase({ counts: Array.from({ length: 300 }, (_, t) => (t === 7 ? 0 : 1 + ((t * 37) % 300))), step: 5, weightDecay: 0, inPlace: true, label: '300 tensors of 0 to 300 values', seed: 37 }),
  adamGroupCase({ counts: TINY_STUDENT_PARAM_SHAPES.map(shapeSize), step: 10, weightDecay: 5e-4, inPlace: true, label: "the 'tiny' student's 65 parameters", seed: 38 }),
  cscCase({ batch: 1, dim: 1, classes: 1, theta: 0.07, calibrated: true }),
  cscCase({ batch: 5, dim: 3, classes: 5, theta: 0.07, calibrated: true }),
  cscCase({ batch: 5, dim: 2048, classes: 3, theta: 0.07, calibrated: true }),
  cscCase({ batch: 37, dim: 19, classes: 4, theta: 0.2, calibrated: true }),
  cscCase({ batch: 37, dim: 128, classes: 4, theta: 0.1, calibrated: false }),
  cscCase({ batch: 37, dim: 64, classes: 4, theta: 0.07, calibrated: true, zeroTeacherRows: [0, 5, 36] }),
  cscCase({ batch: 37, dim: 1000, classes: 37, theta: 0.2, calibrated: true }),
  cscCase({ batch: 256, dim: 130, classes: 51, theta: 0.07, calibrated: true }),
  cscCase({ batch: 256, dim: 130, classes: 20, theta: 0.2, calibrated: false }),
  cscCase({ batch: 256, dim: 128, classes: 51, theta: 0.07, calibrated: true, zeroTeacherRows: every(7, 256) }),
];
