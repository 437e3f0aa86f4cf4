// A backend the ops know nothing of (as 'tensorflow' or a new one is): with none of the fused
// kernels, a full mnf-csc training step runs on the composed twins and equals the step on 'cpu';
// once the backend registers kernels under the fused ops' names, the same models, losses and
// optimiser run them, unchanged.
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdamUpdate, BatchNormRunningStats, BatchNormTrain, BatchNormTrainGrad, CscLoss } from '../src/backend/kernel-names.js';
import { cpuKernels, cscLossConfig } from '../src/backend/cpu/kernels/index.js';
import { resolveConfig } from '../src/config/presets.js';
import { trainStepPacked } from '../src/train/step.js';
import { buildStepParts } from '../src/train/trainer.js';
import { addonProblem } from '../src/native/addon.js';
import { tf } from '../src/tf.js';
import { useBackend } from './models-backends.js';
import { expectClose } from './models-fixture.js';
import { FUSED_KERNELS, missingKernels } from './ops-kernels.js';

const NEW_BACKEND = 'mnf-ops-test';
const config = resolveConfig('tiny', { method: 'mnf-csc', batch: 4, clipLength: 2, size: 24, model: { width: 0.03125, featureDim: 8, layers: [1, 1, 1, 1], numClasses: 3, teacherDim: 8 } });

/**
 * One mnf-csc step from the same initial weights: the packed results, the running statistics and
 * both optimisers' moments (they carry every gradient; the weights after Adam's first step are
 * ±lr where a gradient is ~0, so they are not compared).
 */
function step(): { packed: Float32Array; state: Record<string, Float32Array> } {
  const parts = buildStepParts(config);
  const inputs = tf.tidy(() => ({
    clips: tf.randomNormal([4, 2, 24, 24, 3], 0, 1, 'float32', 1) as tf.Tensor5D,
    teacher: tf.abs(tf.randomNormal([4, 8], 0, 1, 'float32', 2)) as tf.Tensor2D,
    labels: tf.tensor1d([0, 1, 0, 2], 'int32'),
  }));
  const packedTensor = trainStepPacked(parts, inputs);
  const packed = packedTensor.dataSync() as Float32Array;
  tf.dispose([packedTensor, inputs.clips, inputs.teacher, inputs.labels]);
  const weights = { ...parts.student.store.getState('student/'), ...parts.head.store.getState('head/') };
  const buffers = Object.entries(weights).filter(([name]) => name.includes('running_'));
  const moments = Object.entries({ ...parts.studentOptimizer.getState('student-adam/'), ...parts.headOptimizer.getState('head-adam/') });
  parts.studentOptimizer.dispose();
  parts.headOptimizer.dispose();
  parts.student.dispose();
  parts.head.store.dispose();
  return { packed, state: Object.fromEntries([...buffers, ...moments].map(([k, v]) => [k, v.data])) };
}

async function useNewBackend(): Promise<void> {
  if (!(await tf.setBackend(NEW_BACKEND))) throw new Error(`backend ${NEW_BACKEND} failed to initialise`);
}

beforeAll(() => {
  tf.registerBackend(NEW_BACKEND, () => Object.assign(new MathBackendCPU(), { firstUse: false }), -1);
  for (const kernel of tf.getKernelsForBackend('cpu')) {
    if (!FUSED_KERNELS.includes(kernel.kernelName)) tf.registerKernel({ ...kernel, backendName: NEW_BACKEND });
  }
});

afterAll(async () => {
  await useBackend('cpu');
  for (const kernel of tf.getKernelsForBackend(NEW_BACKEND)) tf.unregisterKernel(kernel.kernelName, NEW_BACKEND);
  tf.removeBackend(NEW_BACKEND);
});

// the cpu backend's MnfCscLoss, the reference here, runs in the addon
describe.skipIf(addonProblem() !== undefined)('a backend without the fused kernels', () => {
  it('trains an mnf-csc step through the composed twins, equal to the step on cpu (its kernels)', async () => {
    await useBackend('cpu');
    expect(missingKernels()).toEqual([]);
    const onCpu = step();
    await useNewBackend();
    expect(missingKernels()).toEqual(FUSED_KERNELS);
    const before = tf.memory().numTensors;
    const composed = step();
    expect(tf.memory().numTensors, 'no tensor left behind').toBe(before);
    expectClose(composed.packed, onCpu.packed, 1e-4, 'losses, correct and gate statistics');
    expect(Object.keys(composed.state).length).toBeGreaterThan(20);
    for (const [name, values] of Object.entries(onCpu.state)) expectClose(composed.state[name]!, values, 1e-4, name);
  });

  it('runs the kernels it registers under the fused ops’ names, with the same models, losses and optimiser', async () => {
    await useNewBackend();
    const calls = new Map<string, number>();
    for (const kernel of [...cpuKernels, cscLossConfig]) {
      tf.registerKernel({
        ...kernel,
        backendName: NEW_BACKEND,
        kernelFunc: (args) => {
          calls.set(kernel.kernelName, (calls.get(kernel.kernelName) ?? 0) + 1);
          return kernel.kernelFunc(args);
        },
      });
    }
    const withKernels = step();
    await useBackend('cpu');
    const onCpu = step();
    expect(Array.from(withKernels.packed)).toEqual(Array.from(onCpu.packed));
    for (const [name, values] of Object.entries(onCpu.state)) expect(Array.from(withKernels.state[name]!), name).toEqual(Array.from(values));
    // the student's and the head's parameter groups; every training-mode BatchNorm forward and backward
    expect(calls.get(AdamUpdate)).toBe(2);
    expect(calls.get(BatchNormTrain)).toBeGreaterThan(0);
    expect(calls.get(BatchNormTrainGrad)).toBe(calls.get(BatchNormTrain));
    expect(calls.get(BatchNormRunningStats)).toBeGreaterThan(0);
    expect(calls.get(CscLoss)).toBe(1);
  });
});
