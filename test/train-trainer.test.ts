import { beforeAll, describe, expect, it } from 'vitest';
import { METHOD_NAMES } from '../src/config/types.js';
import type { ClipBatch } from '../src/data/types.js';
import { stepGradients } from '../src/train/step.js';
import { buildStepParts, createTrainer } from '../src/train/trainer.js';
import { tf } from '../src/tf.js';
import { TEST_BACKENDS, useBackend } from './models-backends.js';
import { B, makeBatch, microConfig, TEACHER_DIM } from './trainer-fixture.js';

const backend = TEST_BACKENDS.includes('native') ? 'native' : 'cpu';

beforeAll(() => useBackend(backend));

describe(`method registry (${backend} backend)`, () => {
  const ownTerm: Record<string, string | undefined> = { 'feat-kd': 'featKd', contrastive: 'contrastive', csc: 'csc', 'mnf-csc': 'csc', ce: undefined };

  it.each(METHOD_NAMES)('%s trains one step through the same trainer with finite losses', async (method) => {
    const trainer = createTrainer(microConfig({ method }));
    const before = trainer.getState();
    const result = await trainer.step(makeBatch(1));
    const after = trainer.getState();
    for (const [term, value] of Object.entries(result.losses)) expect(Number.isFinite(value), `${term} = ${value}`).toBe(true);
    expect(result.losses.ceStudent).toBeGreaterThan(0);
    const term = ownTerm[method];
    if (term) expect(result.losses[term]).toBeGreaterThan(0);
    expect(after['student/stem.spatial.weight']!.data).not.toEqual(before['student/stem.spatial.weight']!.data);
    const headWeights = Object.keys(before).filter((k) => k.startsWith('head/') && k.endsWith('.weight'));
    expect(headWeights.length > 0).toBe(method !== 'ce');
    for (const key of headWeights) expect(after[key]!.data, key).not.toEqual(before[key]!.data);
    expect(result.gate !== undefined).toBe(method === 'mnf-csc');
    const evaluation = trainer.evaluate(makeBatch(2));
    expect(evaluation.probs).toHaveLength(B * 3);
    expect(evaluation.probs.slice(0, 3).reduce((s, p) => s + p, 0)).toBeCloseTo(1, 5);
    expect(evaluation.features).toHaveLength(B * 16);
    expect(evaluation.gate !== undefined).toBe(method === 'mnf-csc');
    trainer.dispose();
  }, 30_000);

  it('rejects an unknown method and a batch of the wrong teacher size in one line', async () => {
    expect(() => createTrainer(microConfig({ method: 'distill' as never }))).toThrow(/^--method: expected one of ce, feat-kd, contrastive, csc, mnf-csc, got 'distill'$/);
    const trainer = createTrainer(microConfig());
    await expect(trainer.step({ ...makeBatch(1), teacherDim: 8, teacher: new Float32Array(B * 8) })).rejects.toThrow(/^batch: expected teacher features \(4, 32\)/);
    const one = makeBatch(1);
    const single: ClipBatch = { ...one, shape: [1, 2, 16, 16, 3], clips: one.clips.slice(0, 2 * 16 * 16 * 3), teacher: one.teacher.slice(0, TEACHER_DIM), labels: one.labels.slice(0, 1), videoIndex: one.videoIndex.slice(0, 1) };
    await expect(trainer.step(single)).rejects.toThrow(/^batch: a training step needs at least 2 clips/);
    expect(trainer.evaluate(single).probs).toHaveLength(3);
    trainer.dispose();
  });
});

describe('training step', () => {
  it('leaks no tensors: numTensors after step 2 equals numTensors after step 50', async () => {
    const trainer = createTrainer(microConfig());
    const batch = makeBatch(3);
    let afterSecond = -1;
    for (let step = 1; step <= 50; step++) {
      await trainer.step(batch);
      if (step === 2) afterSecond = tf.memory().numTensors;
    }
    expect(tf.memory().numTensors).toBe(afterSecond);
    trainer.dispose();
  }, 120_000);

  it('--l1-original moves the L1 gradient off W1 and keeps it on W2', () => {
    const gateGrads = (l1Original: boolean) => {
      const parts = buildStepParts(microConfig({ l1Original }));
      const head = parts.head.store.params;
      const [w1, w2] = [head.get('mnf.gate.fc1.weight')!, head.get('mnf.gate.fc2.weight')!];
      const result = tf.tidy(() => {
        const batch = makeBatch(4);
        const { grads, packed } = stepGradients(parts, {
          clips: tf.tensor5d(batch.clips, batch.shape),
          teacher: tf.tensor2d(batch.teacher, [B, TEACHER_DIM]),
          labels: tf.tensor1d(batch.labels, 'int32'),
        });
        packed.dispose();
        return { w1: grads[w1.name]!.dataSync(), w2: grads[w2.name]!.dataSync(), sign1: tf.sign(w1).dataSync(), sign2: tf.sign(w2).dataSync() };
      });
      parts.studentOptimizer.dispose();
      parts.headOptimizer.dispose();
      parts.student.dispose();
      parts.head.store.dispose();
      return result;
    };
    const fixed = gateGrads(false);
    const original = gateGrads(true);
    const l1 = 0.001;
    // both runs share seed, weights and batch: the difference is exactly the L1 term's gradient
    fixed.w1.forEach((g, i) => expect(g - original.w1[i]!).toBeCloseTo(l1 * fixed.sign1[i]!, 6));
    fixed.w2.forEach((g, i) => expect(g - original.w2[i]!).toBeCloseTo(0, 6));
    expect(fixed.sign2.some((s) => s !== 0)).toBe(true);
  });

  it('getState/setState continue exactly: weights, BN statistics, both optimisers and their step counts', async () => {
    const config = microConfig();
    const a = createTrainer(config);
    await a.step(makeBatch(5));
    const middle = a.getState();
    await a.step(makeBatch(6));
    const expected = a.getState();
    const b = createTrainer({ ...config, seed: 99 });
    b.setState(middle);
    await b.step(makeBatch(6));
    const actual = b.getState();
    expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
    expect(Object.keys(actual).some((k) => k.includes('running_var'))).toBe(true);
    expect(actual['optim.head/step']!.data[0]).toBe(2);
    for (const key of Object.keys(expected)) {
      const [x, y] = [actual[key]!.data, expected[key]!.data];
      const worst = x.reduce((m, v, i) => Math.max(m, Math.abs(v - y[i]!)), 0);
      expect(worst, key).toBeLessThanOrEqual(1e-6);
    }
    expect(() => b.setState({})).toThrow(/^state has no weight 'student\/stem.spatial.weight'$/);
    a.dispose();
    b.dispose();
  });

  it('multiplies both learning rates by γ at each milestone (MultiStepLR per epoch)', () => {
    const trainer = createTrainer(microConfig({ lrStudent: 3e-4, lrHead: 6e-5, milestones: [2, 4], lrGamma: 0.1 }));
    const at = (epoch: number) => {
      trainer.setEpoch(epoch);
      return trainer.learningRates();
    };
    expect(at(0)).toEqual({ student: 3e-4, head: 6e-5 });
    expect(at(1).student).toBe(3e-4);
    expect(at(2).student).toBeCloseTo(3e-5, 12);
    expect(at(4).head).toBeCloseTo(6e-7, 14);
    expect(at(0).student).toBe(3e-4);
    trainer.dispose();
  });
});
