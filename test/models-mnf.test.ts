import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Mnf } from '../src/models/mnf.js';
import { ParamStore } from '../src/models/params.js';
import { adaptTeacher, checkTeacherDim } from '../src/models/teacher.js';
import { tf } from '../src/tf.js';
import { TEST_BACKENDS, useBackend } from './models-backends.js';
import { decode, expectClose, readFixture, toState, type EncodedTensor } from './models-fixture.js';

type Outputs = Record<'logits' | 'z' | 'a_tilde' | 'gate' | 'attention', EncodedTensor>;
interface MnfFixture {
  config: { dim: number; numClasses: number };
  featureMap: EncodedTensor;
  a: EncodedTensor;
  weights: Record<string, EncodedTensor>;
  eval: Outputs;
  train: Outputs & { runningAfter: Record<string, EncodedTensor> };
}

const fixture = readFixture<MnfFixture>('model_mnf.json');

describe.each(TEST_BACKENDS)('MNF on %s', (backend) => {
  let store: ParamStore;
  let mnf: Mnf;
  beforeEach(async () => {
    await useBackend(backend);
    store = new ParamStore(5);
    mnf = new Mnf(store, fixture.config);
    store.setState(toState(fixture.weights));
  });
  afterEach(() => store.dispose());

  for (const mode of ['eval', 'train'] as const) {
    it(`matches PyTorch in ${mode} mode: p_sv, z, ã, gate and attention weights`, () => {
      const out = tf.tidy(() => {
        const fm = tf.tensor3d(decode(fixture.featureMap), fixture.featureMap.shape as [number, number, number]);
        const a = tf.tensor2d(decode(fixture.a), fixture.a.shape as [number, number]);
        const o = mnf.apply(fm, a, mode === 'train');
        return { logits: o.logits.dataSync(), z: o.z.dataSync(), a_tilde: o.aTilde.dataSync(), gate: o.gate.dataSync(), attention: o.attention.dataSync() };
      });
      for (const key of ['logits', 'z', 'a_tilde', 'gate', 'attention'] as const) {
        expectClose(out[key], decode(fixture[mode][key]), 1e-3, `${mode} ${key}`);
      }
      if (mode === 'train') {
        const state = store.getState();
        for (const [name, expected] of Object.entries(fixture.train.runningAfter)) expectClose(state[name]!.data, decode(expected), 1e-3, name);
      }
    });
  }
});

describe('teacher adapter', () => {
  it('is the identity when teacherDim = D and averages channel groups otherwise', async () => {
    await useBackend('cpu');
    const a = tf.tensor2d([[1, 3, 5, 7, 0, 2, 4, 6]]);
    expect(adaptTeacher(a, 8)).toBe(a);
    expect(Array.from(adaptTeacher(a, 2).dataSync())).toEqual([4, 3]);
    expect(() => checkTeacherDim({ width: 1, featureDim: 64, layers: [1, 1, 1, 1], numClasses: 2, teacherDim: 96 })).toThrow(
      /model.teacherDim \(96\) must be a multiple of model.featureDim \(64\)/,
    );
    a.dispose();
  });
});
