// One full mnf-csc training step against PyTorch (scripts/reference/torch_models.py: mnf_csc_step,
// which takes autograd.grad(loss_s, θs) and autograd.grad(loss_m, θm) on one graph).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ModelConfig } from '../src/config/types.js';
import { resolveConfig } from '../src/config/presets.js';
import { stepGradients, type StepParts } from '../src/train/step.js';
import { buildStepParts, createTrainer } from '../src/train/trainer.js';
import type { TensorState, Trainer } from '../src/train/types.js';
import { tf } from '../src/tf.js';
import { TEST_BACKENDS, useBackend } from './models-backends.js';
import { decode, expectClose, readFixture, toState, type EncodedTensor } from './models-fixture.js';

interface StepFixture {
  model: ModelConfig;
  config: { theta: number; tripletMargin: number; l1Weight: number; l1Original: boolean; lrStudent: number; lrMnf: number; weightDecay: number };
  x: EncodedTensor;
  a: EncodedTensor;
  labels: number[];
  before: { student: Record<string, EncodedTensor>; head: Record<string, EncodedTensor> };
  losses: Record<'ceStudent' | 'csc' | 'ceMnf' | 'triplet' | 'gateL1', number>;
  grads: { student: Record<string, EncodedTensor>; head: Record<string, EncodedTensor> };
  after: { student: Record<string, EncodedTensor>; head: Record<string, EncodedTensor> };
}

const fixture = readFixture<StepFixture>('step_mnf_csc.json');
// the PyTorch fixture names the head's learning rate lrMnf
const { lrMnf: lrHead, ...fixtureConfig } = fixture.config;
const config = resolveConfig('tiny', { ...fixtureConfig, lrHead, method: 'mnf-csc', model: fixture.model, batch: 4, clipLength: 2, size: 24 });
const batch = {
  clips: decode(fixture.x),
  shape: fixture.x.shape as [number, number, number, number, number],
  teacher: decode(fixture.a),
  teacherDim: fixture.a.shape[1]!,
  labels: Int32Array.from(fixture.labels),
  videoIndex: Int32Array.from(fixture.labels.keys()),
};

function loadBefore(parts: StepParts): void {
  parts.student.store.setState(toState(fixture.before.student));
  parts.head.store.setState(toState(fixture.before.head));
}

describe.each(TEST_BACKENDS)('mnf-csc training step on %s', (backend) => {
  beforeEach(() => useBackend(backend));

  it('gives each parameter group the gradient of its own loss, as PyTorch does', () => {
    const parts = buildStepParts(config);
    loadBefore(parts);
    const byName = new Map<string, string>();
    for (const [group, store] of [['student', parts.student.store], ['head', parts.head.store]] as const) {
      for (const [name, v] of store.params) byName.set(v.name, `${group}/${name}`);
    }
    const grads = tf.tidy(() => {
      const inputs = {
        clips: tf.tensor5d(batch.clips, batch.shape),
        teacher: tf.tensor2d(batch.teacher, [4, batch.teacherDim]),
        labels: tf.tensor1d(batch.labels, 'int32'),
      };
      const { grads: g } = stepGradients(parts, inputs);
      return Object.fromEntries(Object.entries(g).map(([k, t]) => [byName.get(k)!, t.dataSync() as Float32Array]));
    });
    let compared = 0;
    for (const group of ['student', 'head'] as const) {
      for (const [name, expected] of Object.entries(fixture.grads[group])) {
        expect(grads[`${group}/${name}`], `${group}/${name} has a gradient`).toBeDefined();
        expectClose(grads[`${group}/${name}`]!, decode(expected), 1e-3, `grad ${group}/${name}`);
        compared++;
      }
    }
    expect(compared).toBe(Object.keys(grads).length);
    parts.studentOptimizer.dispose();
    parts.headOptimizer.dispose();
    parts.student.dispose();
    parts.head.store.dispose();
  }, 30_000);

  describe('through the trainer', () => {
    let trainer: Trainer;
    afterEach(() => trainer.dispose());

    it('reports every loss term and updates both groups like two torch.optim.Adam', async () => {
      trainer = createTrainer(config);
      const fresh = trainer.getState();
      const state: TensorState = { ...fresh, ...toState(fixture.before.student, 'student/'), ...toState(fixture.before.head, 'head/') };
      trainer.setState(state);
      const result = await trainer.step(batch);
      for (const [term, expected] of Object.entries(fixture.losses)) {
        expect(Math.abs(result.losses[term]! - expected), `${term}: ${result.losses[term]} vs ${expected}`).toBeLessThanOrEqual(1e-3);
      }
      const after = trainer.getState();
      for (const group of ['student', 'head'] as const) {
        for (const [name, expected] of Object.entries(fixture.after[group])) {
          expectClose(after[`${group}/${name}`]!.data, decode(expected), 1e-3, `${group}/${name} after`);
        }
      }
      expect(after['optim.student/step']!.data[0]).toBe(1);
      expect(after['optim.head/step']!.data[0]).toBe(1);
      expect(result.gate!.histogram.reduce((s, h) => s + h, 0)).toBeCloseTo(1, 5);
      for (const perSample of [result.gate!.mean, result.gate!.belowHalf, result.gate!.score]) expect(perSample).toHaveLength(4);
    }, 30_000);
  });
});
