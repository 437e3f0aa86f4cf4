// BatchNorm's running statistics change only through the op batchNormRunningStats: each backend's
// kernel gives bit for bit what its composed twin (tfjs ops) gives, the variables are assigned new
// data, and an array read from them earlier, or another tensor sharing their data, is never written.
import { describe, expect, it } from 'vitest';
import { BatchNorm } from '../src/models/layers/batchnorm.js';
import { ParamStore } from '../src/models/params.js';
import { tf } from '../src/tf.js';
import { TEST_BACKENDS, useBackend } from './models-backends.js';
import { BatchNormRunningStats } from '../src/backend/kernel-names.js';
import { withoutKernels } from './ops-kernels.js';

/** Three training steps' running statistics, and whether the variables were given new data
 * (the batch statistics come from the backend's MnfBatchNormTrain either way). */
function train(kernel: boolean): { mean: Float32Array; variance: Float32Array; replaced: boolean } {
  if (!kernel) return withoutKernels([BatchNormRunningStats], () => train(true));
  const store = new ParamStore(3);
  const bn = new BatchNorm(store, 'bn', 6);
  const ids = [bn.runningMean.dataId, bn.runningVar.dataId];
  for (let step = 0; step < 3; step++) {
    tf.tidy(() => {
      const x = tf.add(tf.mul(tf.randomNormal([4, 3, 5, 6], 0, 1, 'float32', 20 + step), 2.5), tf.linspace(-3, 7, 6)) as tf.Tensor4D;
      bn.apply(x, true, { relu: step === 1 });
    });
  }
  const replaced = bn.runningMean.dataId !== ids[0] && bn.runningVar.dataId !== ids[1];
  const state = store.getState();
  store.dispose();
  return { mean: state['bn.running_mean']!.data, variance: state['bn.running_var']!.data, replaced };
}

describe.each(TEST_BACKENDS)('BatchNorm running statistics on %s', (backend) => {
  it('the kernel = the composed twin, bit for bit; the variables are assigned new data', async () => {
    await useBackend(backend);
    const before = tf.memory().numTensors;
    const kernel = train(true);
    const composed = train(false);
    expect(kernel.replaced).toBe(true);
    expect(composed.replaced).toBe(true);
    expect(Array.from(kernel.mean)).toEqual(Array.from(composed.mean));
    expect(Array.from(kernel.variance)).toEqual(Array.from(composed.variance));
    expect(kernel.mean.some((v) => v !== 0)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a running mean shared with another tensor is replaced, not written', async () => {
    await useBackend(backend);
    const store = new ParamStore(4);
    const bn = new BatchNorm(store, 'bn', 3);
    const alias = tf.reshape(bn.runningMean, [1, 3]); // shares the variable's data
    const aliasBefore = Array.from(alias.dataSync());
    tf.tidy(() => void bn.apply(tf.randomNormal([5, 3], 2, 1, 'float32', 9) as tf.Tensor2D, true));
    expect(Array.from(alias.dataSync())).toEqual(aliasBefore);
    expect(Array.from(bn.runningMean.dataSync()).some((v) => v !== 0)).toBe(true);
    alias.dispose();
    store.dispose();
  });

  it('the arrays the running statistics held before a step are not written by it', async () => {
    await useBackend(backend);
    const store = new ParamStore(5);
    const bn = new BatchNorm(store, 'bn', 3);
    // on the host backends dataSync returns the tensor's own array
    const held = [bn.runningMean.dataSync(), bn.runningVar.dataSync()];
    const copies = held.map((a) => Array.from(a));
    tf.tidy(() => void bn.apply(tf.randomNormal([5, 3], 2, 1, 'float32', 9) as tf.Tensor2D, true));
    expect(held.map((a) => Array.from(a))).toEqual(copies);
    expect(Array.from(bn.runningMean.dataSync())).not.toEqual(copies[0]);
    expect(Array.from(bn.runningVar.dataSync())).not.toEqual(copies[1]);
    store.dispose();
  });
});
