// BatchNorm's running statistics: on the host backends they are blended in place in the
// variables' arrays, bit for bit what the composed tfjs ops give; a running-stat array that
// another tensor shares is never written in place.
import { describe, expect, it } from 'vitest';
import { BatchNorm } from '../src/models/layers/batchnorm.js';
import { ParamStore } from '../src/models/params.js';
import { tf } from '../src/tf.js';
import { TEST_BACKENDS, useBackend } from './models-backends.js';

/** Three training steps' running statistics, and whether the variables kept their data. */
function train(inPlace: boolean, kernel: BatchNorm['kernel']) {
  const store = new ParamStore(3);
  const bn = new BatchNorm(store, 'bn', 6);
  bn.kernel = kernel;
  bn.runningStatsInPlace = inPlace;
  const ids = [bn.runningMean.dataId, bn.runningVar.dataId];
  for (let step = 0; step < 3; step++) {
    tf.tidy(() => {
      const x = tf.add(tf.mul(tf.randomNormal([4, 3, 5, 6], 0, 1, 'float32', 20 + step), 2.5), tf.linspace(-3, 7, 6)) as tf.Tensor4D;
      bn.apply(x, true, { relu: step === 1 });
    });
  }
  const kept = bn.runningMean.dataId === ids[0] && bn.runningVar.dataId === ids[1];
  const state = store.getState();
  store.dispose();
  return { mean: state['bn.running_mean']!.data, variance: state['bn.running_var']!.data, kept };
}

describe.each(TEST_BACKENDS)('BatchNorm running statistics on %s', (backend) => {
  const kernels: BatchNorm['kernel'][] = backend === 'native' ? ['native', 'composed'] : ['host', 'composed'];
  for (const kernel of kernels) {
    it(`in place = composed ops, bit for bit (${kernel} normalisation)`, async () => {
      await useBackend(backend);
      const before = tf.memory().numTensors;
      const inPlace = train(true, kernel);
      const composed = train(false, kernel);
      expect(inPlace.kept).toBe(true);
      expect(composed.kept).toBe(false);
      expect(Array.from(inPlace.mean)).toEqual(Array.from(composed.mean));
      expect(Array.from(inPlace.variance)).toEqual(Array.from(composed.variance));
      expect(inPlace.mean.some((v) => v !== 0)).toBe(true);
      expect(tf.memory().numTensors).toBe(before);
    });
  }

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
});
