import { describe, expect, it } from 'vitest';
import { PRESET_NAMES, resolveConfig } from '../src/config/presets.js';

describe('presets', () => {
  it('ucf51 is the paper setting', () => {
    const c = resolveConfig('ucf51');
    expect([c.model.numClasses, c.batch, c.theta, c.clipLength, c.size, c.epochs, c.seed]).toEqual([51, 32, 0.07, 16, 112, 200, 3]);
    expect([c.lrStudent, c.lrHead, c.weightDecay, c.milestones, c.lrGamma, c.method]).toEqual([3e-4, 6e-5, 5e-4, [150], 0.1, 'mnf-csc']);
    expect(c.model).toEqual({ width: 1, featureDim: 512, layers: [1, 1, 1, 1], numClasses: 51, teacherDim: 512 });
  });

  it('activitynet and bench-s change only what they name', () => {
    const a = resolveConfig('activitynet');
    expect([a.model.numClasses, a.batch, a.theta]).toEqual([200, 64, 0.2]);
    const b = resolveConfig('bench-s');
    expect([b.batch, b.clipLength, b.size, b.model.width, b.model.featureDim, b.model.numClasses]).toEqual([8, 8, 64, 0.5, 512, 51]);
  });

  it('merges overrides (model one level deep) without touching the preset', () => {
    const c = resolveConfig('tiny', { epochs: 1, model: { numClasses: 7 } });
    expect([c.epochs, c.model.numClasses, c.model.featureDim, c.preset]).toEqual([1, 7, 64, 'tiny']);
    expect(resolveConfig('tiny').model.numClasses).not.toBe(7);
    expect(PRESET_NAMES).toEqual(expect.arrayContaining(['ucf51', 'activitynet', 'bench-s', 'tiny', 'console']));
  });

  it('names the flag and the choices for an unknown preset', () => {
    expect(() => resolveConfig('ucf101')).toThrow(/^--preset: expected one of ucf51, activitynet, bench-s, tiny, console, got 'ucf101'$/);
  });
});
