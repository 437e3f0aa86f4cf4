import { describe, expect, it } from 'vitest';
import { ConfigError, validateOverrides, validateRunConfig } from '../src/config/validate.js';

describe('config validation', () => {
  it('accepts a partial configuration of known keys', () => {
    const o = validateOverrides({ method: 'csc', epochs: 3, dataset: null, milestones: [2], model: { width: 0.25 } }, 'run.json');
    expect(o.model?.width).toBe(0.25);
  });

  it('names the file and the unknown key in one line', () => {
    expect(() => validateOverrides({ lr: 0.1 }, 'run.json')).toThrow(ConfigError);
    expect(() => validateOverrides({ lr: 0.1 }, 'run.json')).toThrow(/^run\.json: unknown key 'lr' \(known keys: preset, method/);
    expect(() => validateOverrides({ model: { depth: 3 } }, 'run.json')).toThrow(/^run\.json: unknown key 'model\.depth'/);
  });

  it('names the key, the expected type and the value for a wrong type', () => {
    expect(() => validateOverrides({ batch: '32' }, 'a.json')).toThrow(/^a\.json: 'batch' must be an integer >= 1, got "32"$/);
    expect(() => validateOverrides({ batch: 2.5 }, 'a.json')).toThrow(/'batch' must be an integer >= 1, got 2.5/);
    expect(() => validateOverrides({ method: 'mnf' }, 'a.json')).toThrow(/'method' must be one of "ce", "feat-kd", "contrastive", "csc", "mnf-csc", got "mnf"/);
    expect(() => validateOverrides({ l1Original: 1 }, 'a.json')).toThrow(/'l1Original' must be true or false/);
    expect(() => validateOverrides({ model: { layers: [1, 1, 1] } }, 'a.json')).toThrow(/'model\.layers' must be a list of 4 integers >= 1/);
    expect(() => validateOverrides({ model: 3 }, 'a.json')).toThrow(/model must be a JSON object, got 3/);
    expect(() => validateOverrides([1], 'a.json')).toThrow(/the configuration must be a JSON object/);
  });

  it('messages are one line', () => {
    try {
      validateOverrides({ theta: 'x' }, 'c.json');
    } catch (err) {
      expect((err as Error).message.split('\n')).toHaveLength(1);
    }
    expect.assertions(1);
  });

  it('a complete configuration must name every key', () => {
    expect(() => validateRunConfig({ method: 'ce' }, 'config.json')).toThrow(/config\.json: missing key 'preset'/);
  });
});

describe('config files and flags → RunConfig', () => {
  it('layers preset, file and flags; a dataset path in a file is relative to the file', async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { buildRunConfig } = await import('../src/config/load.js');
    const dir = mkdtempSync(join(tmpdir(), 'mnf-config-'));
    try {
      const file = join(dir, 'run.json');
      writeFileSync(file, JSON.stringify({ preset: 'tiny', dataset: 'data/ds', epochs: 7, batch: 5, model: { featureDim: 48 } }));
      const config = buildRunConfig({ configFile: file, flags: { batch: 6 }, defaultPreset: 'console' });
      expect(config).toMatchObject({ preset: 'tiny', dataset: join(dir, 'data', 'ds'), epochs: 7, batch: 6, clipLength: 4 });
      expect(config.model).toMatchObject({ featureDim: 48, width: 0.25 });
      expect(() => buildRunConfig({ preset: 'huge', flags: {}, defaultPreset: 'console' })).toThrow(/--preset: expected one of .*got 'huge'/);
      expect(() => buildRunConfig({ configFile: join(dir, 'none.json'), flags: {}, defaultPreset: 'tiny' })).toThrow(/none\.json: file not found/);
      writeFileSync(file, '{"epochs": 3,');
      expect(() => buildRunConfig({ configFile: file, flags: {}, defaultPreset: 'tiny' })).toThrow(/run\.json: not valid JSON/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
