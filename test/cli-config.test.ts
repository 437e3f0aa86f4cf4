import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildRunConfig } from '../src/config/load.js';
import { ConfigError, validateOverrides, validateRunConfig } from '../src/config/validate.js';
import { cli } from './cli-process.js';

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
    expect(() => validateOverrides({ batch: '32' }, 'a.json')).toThrow(/^a\.json: 'batch' must be an integer >= 2, got "32"$/);
    expect(() => validateOverrides({ batch: 2.5 }, 'a.json')).toThrow(/'batch' must be an integer >= 2, got 2.5/);
    expect(() => validateOverrides({ method: 'mnf' }, 'a.json')).toThrow(/'method' must be one of "ce", "feat-kd", "contrastive", "csc", "mnf-csc", got "mnf"/);
    expect(() => validateOverrides({ l1Original: 1 }, 'a.json')).toThrow(/'l1Original' must be true or false/);
    expect(() => validateOverrides({ model: { layers: [1, 1, 1] } }, 'a.json')).toThrow(/'model\.layers' must be a list of 4 integers >= 1/);
    expect(() => validateOverrides({ model: 3 }, 'a.json')).toThrow(/^a\.json: 'model' must be a JSON object, got 3$/);
    expect(() => validateOverrides({ milestones: [10, -1] }, 'a.json')).toThrow(/^a\.json: 'milestones' must be a list of integers >= 0, got \[10,-1\]$/);
    expect(() => validateOverrides({ theta: Number.NaN }, 'a.json')).toThrow(/'theta' must be a number >= 0/);
    expect(() => validateOverrides({ model: { width: 0 } }, 'a.json')).toThrow(/'model\.width' must be a number > 0, got 0/);
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

  it('batch must be at least 2 (BatchNorm): in a file, the file and key; as a flag, the flag', () => {
    expect(() => validateOverrides({ batch: 1 }, 'run.json')).toThrow(/^run\.json: 'batch' must be an integer >= 2, got 1$/);
    expect(() => buildRunConfig({ flags: { batch: 1 }, defaultPreset: 'tiny' })).toThrow(/^--batch: expected an integer >= 2, got 1$/);
    expect(() => buildRunConfig({ flags: { evalEvery: -1 }, defaultPreset: 'tiny' })).toThrow(/^--eval-every: expected an integer >= 0, got -1$/);
    expect(buildRunConfig({ flags: { batch: 2 }, defaultPreset: 'tiny' }).batch).toBe(2);
  });

  it("a config file's preset is checked against the presets, naming the file", () => {
    expect(() => validateOverrides({ preset: 'huge' }, 'run.json')).toThrow(/^run\.json: 'preset' must be one of "ucf51", .*"console", got "huge"$/);
  });
});

describe('config files and flags → RunConfig', () => {
  it('layers preset, file and flags; a dataset path in a file is relative to the file', () => {
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

describe('configuration faults on the command line are usage errors (exit 2), before anything is written', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mnf-config-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const out = join(dir, 'run');
  const oneLine = (r: { stderr: string }) => r.stderr.trim().split('\n');

  it.each([
    ['--preset huge', ['--preset', 'huge'], /^mnf-tui: --preset: expected one of .*, got 'huge'$/],
    ['a missing --config', ['--config', join(dir, 'none.json')], /^mnf-tui: --config .*none\.json: file not found$/],
    ['--batch 1', ['--batch', '1'], /^mnf-tui: --batch: expected an integer >= 2, got '1'$/],
  ])('%s', (_name, args, message) => {
    // --headless: on the code before, --batch 1 trained (0 steps) and wrote a run folder
    const r = cli(['train', '--headless', ...args, '--out', out]);
    expect(r.code).toBe(2);
    expect(oneLine(r)).toHaveLength(1);
    expect(oneLine(r)[0]).toMatch(message);
    expect(existsSync(out)).toBe(false);
  }, 60_000);

  it.each([
    ['not JSON', '{"epochs": 3,', /: not valid JSON/],
    ['an unknown key', '{"lr": 0.1}', /: unknown key 'lr'/],
    ['batch 1', '{"batch": 1}', /: 'batch' must be an integer >= 2, got 1$/],
    ['an unknown preset', '{"preset": "huge"}', /: 'preset' must be one of .*got "huge"$/],
  ])('a config file with %s', (_name, text, message) => {
    const file = join(dir, 'run.json');
    writeFileSync(file, text);
    const r = cli(['train', '--headless', '--config', file, '--out', out]);
    expect(r.code).toBe(2);
    expect(oneLine(r)).toHaveLength(1);
    expect(oneLine(r)[0]).toMatch(new RegExp(`^mnf-tui: ${file.replace(/[.]/g, '\\.')}${message.source}`));
    expect(existsSync(out)).toBe(false);
  }, 60_000);
});
