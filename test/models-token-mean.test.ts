// meanOverTokens (a batched matmul) equals tf.mean over the token axis, values and gradients.
import { describe, expect, it } from 'vitest';
import { meanOverTokens } from '../src/models/layers/token-mean.js';
import { tf } from '../src/tf.js';
import { TEST_BACKENDS, useBackend } from './models-backends.js';
import { expectClose } from './models-fixture.js';

describe.each(TEST_BACKENDS)('meanOverTokens on %s', (backend) => {
  it('equals tf.mean(x, 1) and its gradient, without leaking tensors', async () => {
    await useBackend(backend);
    const before = tf.memory().numTensors;
    const [mine, reference] = tf.tidy(() => {
      const x = tf.randomNormal([3, 5, 7], 0, 1, 'float32', 4) as tf.Tensor3D;
      const dy = tf.randomNormal([3, 7], 0, 1, 'float32', 5);
      const run = (mean: (t: tf.Tensor3D) => tf.Tensor) => {
        const y = mean(x);
        const [dx] = tf.grads((t: tf.Tensor) => tf.sum(tf.mul(mean(t as tf.Tensor3D), dy)))([x]);
        return [y.shape, y.dataSync(), dx!.dataSync()] as const;
      };
      return [run(meanOverTokens), run((t) => tf.mean(t, 1))];
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(mine[0]).toEqual([3, 7]);
    expectClose(mine[1], reference[1], 1e-6, 'mean');
    expectClose(mine[2], reference[2], 1e-6, 'dx');
  });
});
