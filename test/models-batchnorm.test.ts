// BatchNorm: each backend's kernels (cpu, native) equal the composed twins the ops fall back to,
// values and gradients, with and without the fused ReLU; running statistics follow PyTorch
// (unbiased variance, momentum 0.1).
import { describe, expect, it } from 'vitest';
import { BatchNorm } from '../src/models/layers/batchnorm.js';
import { ParamStore } from '../src/models/params.js';
import { tf } from '../src/tf.js';
import { TEST_BACKENDS, useBackend } from './models-backends.js';
import { expectClose } from './models-fixture.js';
import { BATCHNORM_KERNELS, withoutKernels } from './ops-kernels.js';

function run(backend: string, kernels: boolean, relu: boolean) {
  if (!kernels) return withoutKernels(BATCHNORM_KERNELS, () => run(backend, true, relu));
  const store = new ParamStore(1);
  const bn = new BatchNorm(store, 'bn', 5);
  const result = tf.tidy(() => {
    bn.weight.assign(tf.tensor1d([0.5, 1.5, -1, 2, 1]));
    bn.bias.assign(tf.tensor1d([0.1, -0.2, 0.3, 0, 1]));
    const x = tf.add(tf.mul(tf.randomNormal([3, 2, 7, 5], 0, 1, 'float32', 11), tf.tensor1d([1, 2, 0.5, 3, 1])), tf.tensor1d([4, -1, 0, 2, 0.5])) as tf.Tensor4D;
    const dy = tf.randomNormal([3, 2, 7, 5], 0, 1, 'float32', 12);
    const f = (input: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor) => {
      void gamma;
      void beta;
      return tf.sum(tf.mul(bn.apply(input as tf.Tensor4D, true, { relu }), dy));
    };
    const y = bn.apply(x, true, { relu, updateStats: false });
    const grads = tf.grads(f)([x, bn.weight, bn.bias]);
    return [y, ...grads].map((t) => t.dataSync() as Float32Array);
  });
  const stats = store.getState();
  store.dispose();
  expect(tf.getBackend()).toBe(backend);
  return { values: result, runningMean: stats['bn.running_mean']!.data, runningVar: stats['bn.running_var']!.data };
}

describe.each(TEST_BACKENDS)('BatchNorm on %s', (backend) => {
  for (const relu of [false, true]) {
    it(`kernels = composed twins${relu ? ' with ReLU' : ''}: output, dx, dγ, dβ and running statistics`, async () => {
      await useBackend(backend);
      const before = tf.memory().numTensors;
      const kernel = run(backend, true, relu);
      const composed = run(backend, false, relu);
      expect(tf.memory().numTensors, 'no tensor left behind').toBe(before);
      ['y', 'dx', 'dγ', 'dβ'].forEach((name, i) => expectClose(kernel.values[i]!, composed.values[i]!, 1e-4, name));
      expectClose(kernel.runningMean, composed.runningMean, 1e-5, 'running_mean');
      expectClose(kernel.runningVar, composed.runningVar, 1e-5, 'running_var');
      if (relu) expect(Math.min(...kernel.values[0]!)).toBe(0);
    });
  }

  it('moves the running statistics towards the batch mean and the unbiased variance (momentum 0.1)', async () => {
    await useBackend(backend);
    const store = new ParamStore(1);
    const bn = new BatchNorm(store, 'bn', 1);
    tf.tidy(() => bn.apply(tf.tensor2d([[1], [2], [3], [6]]), true));
    // mean 3, unbiased variance ((−2)² + 1 + 0 + 3²)/3 = 14/3
    expect(bn.runningMean.dataSync()[0]).toBeCloseTo(0.9 * 0 + 0.1 * 3, 6);
    expect(bn.runningVar.dataSync()[0]).toBeCloseTo(0.9 * 1 + 0.1 * (14 / 3), 6);
    store.dispose();
  });
});
