// BatchNorm's fused ops on each backend (cpu: JS kernels, native: the addon's) against their composed
// twins, called directly: batchNormTrain's outputs and its gradients with respect to x, γ, β and the
// residual, with and without the ReLU; batchNormRunningStats bit for bit.
import { describe, expect, it } from 'vitest';
import { BatchNormRunningStats, BatchNormTrain, BatchNormTrainGrad } from '../src/backend/kernel-names.js';
import { batchNormRunningStatsComposed, batchNormTrainComposed } from '../src/models/layers/batchnorm-composed.js';
import { batchNormRunningStats, batchNormTrain } from '../src/models/layers/batchnorm-ops.js';
import { tf } from '../src/tf.js';
import { TEST_BACKENDS, useBackend } from './models-backends.js';
import { expectClose } from './models-fixture.js';

const EPS = 1e-5;
type Train = typeof batchNormTrain;

/** y, mean, variance and the gradients of Σ y·dy with respect to x, γ, β (and the residual). */
function trainAndGrads(train: Train, rows: number, channels: number, relu: boolean, withResidual: boolean): Float32Array[] {
  return tf.tidy(() => {
    const x = tf.add(tf.mul(tf.randomNormal([rows, channels], 0, 1, 'float32', 3), tf.linspace(0.5, 3, channels)), tf.linspace(-2, 5, channels)) as tf.Tensor2D;
    const gamma = tf.randomNormal([channels], 1, 0.5, 'float32', 4) as tf.Tensor1D;
    const beta = tf.randomNormal([channels], 0, 1, 'float32', 5) as tf.Tensor1D;
    const residual = tf.randomNormal([rows, channels], 0, 1, 'float32', 6) as tf.Tensor2D;
    const dy = tf.randomNormal([rows, channels], 0, 1, 'float32', 7);
    const run = (xs: tf.Tensor[]) => train(xs[0] as tf.Tensor2D, xs[1] as tf.Tensor1D, xs[2] as tf.Tensor1D, { eps: EPS, relu, residual: xs[3] as tf.Tensor2D | undefined });
    const inputs = withResidual ? [x, gamma, beta, residual] : [x, gamma, beta];
    const { y, mean, variance } = run(inputs);
    const grads = tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(run(xs).y, dy)))(inputs);
    return [y, mean, variance, ...grads].map((t) => t.dataSync() as Float32Array);
  });
}

const NAMES = ['y', 'mean', 'variance', 'dx', 'dγ', 'dβ', 'dResidual'];

describe.each(TEST_BACKENDS)('BatchNorm ops on %s', (backend) => {
  it('the backend registers a kernel for each', async () => {
    await useBackend(backend);
    for (const name of [BatchNormTrain, BatchNormTrainGrad, BatchNormRunningStats]) expect(tf.getKernel(name, backend), name).toBeDefined();
  });

  for (const [relu, residual] of [[false, false], [true, false], [false, true], [true, true]] as const) {
    it(`batchNormTrain's kernels = its composed twin${relu ? ', ReLU' : ''}${residual ? ', + residual' : ''}: outputs and gradients`, async () => {
      await useBackend(backend);
      const before = tf.memory().numTensors;
      const kernel = trainAndGrads(batchNormTrain, 300, 7, relu, residual);
      const composed = trainAndGrads(batchNormTrainComposed, 300, 7, relu, residual);
      expect(tf.memory().numTensors, 'no tensor left behind').toBe(before);
      expect(kernel).toHaveLength(residual ? 7 : 6);
      kernel.forEach((values, i) => expectClose(values, composed[i]!, 1e-4, NAMES[i]!));
      if (relu) expect(Math.min(...kernel[0]!)).toBe(0);
    });
  }

  it("batchNormRunningStats' kernel = its composed twin, bit for bit (momentum 0.1, unbiased variance)", async () => {
    await useBackend(backend);
    const [kernel, composed] = [batchNormRunningStats, batchNormRunningStatsComposed].map((op) =>
      tf.tidy(() => {
        const [runningMean, runningVar, mean, variance] = [11, 12, 13, 14].map((seed) => tf.randomUniform([37], 0.1, 3, 'float32', seed) as tf.Tensor1D);
        return op(runningMean!, runningVar!, mean!, variance!, { momentum: 0.1, rows: 9 }).map((t) => Array.from(t.dataSync()));
      }),
    );
    expect(kernel).toEqual(composed);
    // PyTorch's rule on one value: 0.9·r + 0.1·mean, 0.9·r + 0.1·(9/8)·variance
    const [mean, variance] = tf.tidy(() => batchNormRunningStats(tf.tensor1d([1]), tf.tensor1d([2]), tf.tensor1d([3]), tf.tensor1d([4]), { momentum: 0.1, rows: 9 }).map((t) => t.dataSync()[0]!));
    expect(mean).toBeCloseTo(0.9 * 1 + 0.1 * 3, 6);
    expect(variance).toBeCloseTo(0.9 * 2 + 0.1 * (9 / 8) * 4, 6);
  });
});
