import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ModelConfig } from '../src/config/types.js';
import { R2Plus1D, midChannels, stageChannels } from '../src/models/student.js';
import { tf } from '../src/tf.js';
import { TEST_BACKENDS, useBackend } from './models-backends.js';
import { decode, expectClose, readFixture, toState, type EncodedTensor } from './models-fixture.js';

interface StudentFixture {
  config: ModelConfig;
  x: EncodedTensor;
  weights: Record<string, EncodedTensor>;
  eval: Record<'featureMap' | 'pooled' | 'logits', EncodedTensor>;
  train: Record<'featureMap' | 'pooled' | 'logits', EncodedTensor> & { runningAfter: Record<string, EncodedTensor> };
}

const fixture = readFixture<StudentFixture>('model_student.json');

describe('(2+1)D mid channels', () => {
  it('follows ⌊t·d²·Cin·Cout / (d²·Cin + t·Cout)⌋', () => {
    expect(midChannels(3, 3, 64, 64)).toBe(144); // torchvision's r2plus1d_18 layer1
    expect(midChannels(3, 7, 3, 64)).toBe(83); // the stem of Hara et al.'s resnet2p1d
    expect(midChannels(3, 3, 128, 256)).toBe(Math.floor((27 * 128 * 256) / (9 * 128 + 3 * 256)));
  });

  it('scales the stage channels by the width and ends at D', () => {
    expect(stageChannels({ width: 0.5, featureDim: 512, layers: [1, 1, 1, 1], numClasses: 2, teacherDim: 512 })).toEqual([32, 64, 128, 512]);
  });
});

describe.each(TEST_BACKENDS)('R2Plus1D on %s', (backend) => {
  let model: R2Plus1D;
  beforeEach(async () => {
    await useBackend(backend);
    model = new R2Plus1D(fixture.config, 7);
    model.store.setState(toState(fixture.weights));
  });
  afterEach(() => model.dispose());

  const x = () => tf.tensor5d(decode(fixture.x), fixture.x.shape as [number, number, number, number, number]);

  it('matches PyTorch in eval mode (running statistics)', () => {
    const out = tf.tidy(() => {
      const o = model.forward(x(), false);
      return [o.featureMap.dataSync(), o.pooled.dataSync(), o.logits.dataSync()];
    });
    expectClose(out[0]!, decode(fixture.eval.featureMap), 1e-3, 'featureMap');
    expectClose(out[1]!, decode(fixture.eval.pooled), 1e-3, 'pooled');
    expectClose(out[2]!, decode(fixture.eval.logits), 1e-3, 'logits');
  });

  it('matches PyTorch in train mode (batch statistics) and moves the running statistics like PyTorch', () => {
    const before = tf.memory().numTensors;
    const out = tf.tidy(() => {
      const o = model.forward(x(), true);
      expect(o.featureMap.shape).toEqual(fixture.train.featureMap.shape);
      return [o.featureMap.dataSync(), o.pooled.dataSync(), o.logits.dataSync()];
    });
    expect(tf.memory().numTensors).toBe(before);
    expectClose(out[0]!, decode(fixture.train.featureMap), 1e-3, 'featureMap');
    expectClose(out[2]!, decode(fixture.train.logits), 1e-3, 'logits');
    const state = model.store.getState();
    for (const [name, expected] of Object.entries(fixture.train.runningAfter)) {
      expectClose(state[name]!.data, decode(expected), 1e-3, name);
    }
  });
});

describe('R2Plus1D construction', () => {
  const cfg: ModelConfig = { width: 0.0625, featureDim: 8, layers: [2, 2, 2, 2], numClasses: 3, teacherDim: 8 };

  it('builds R(2+1)D-18 style stages and returns (B, N, D), (B, D) and logits', async () => {
    await useBackend('cpu');
    const model = new R2Plus1D(cfg, 1);
    expect([...model.store.params.keys()].filter((k) => k.endsWith('.conv1.spatial.weight'))).toHaveLength(8);
    const shapes = tf.tidy(() => {
      const o = model.forward(tf.randomNormal([2, 4, 24, 24, 3]) as tf.Tensor5D, true);
      return [o.featureMap.shape, o.pooled.shape, o.logits.shape];
    });
    // time 4 → 4 → 2 → 1 → 1, space 24 → 12 → 12 → 6 → 3 → 2
    expect(shapes).toEqual([[2, 4, 8], [2, 8], [2, 3]]);
    model.dispose();
  });

  it('gives the same weights for the same seed and different ones for another seed', () => {
    const [a, b, c] = [new R2Plus1D(cfg, 3), new R2Plus1D(cfg, 3), new R2Plus1D(cfg, 4)];
    const w = (m: R2Plus1D) => m.store.getState()['layer2.0.conv1.spatial.weight']!.data;
    expect(w(a)).toEqual(w(b));
    expect(w(a)).not.toEqual(w(c));
    // PyTorch's default conv init: U(±1/√fan_in)
    const bound = 1 / Math.sqrt(3 * 3 * 4);
    expect(Math.max(...w(a).map(Math.abs))).toBeLessThanOrEqual(bound);
    for (const m of [a, b, c]) m.dispose();
  });
});
