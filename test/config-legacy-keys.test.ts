// The head optimiser's learning rate is lrHead; config files, run folders and checkpoints written
// when it was called lrMnf still load, with the same value.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/config/presets.js';
import { validateOverrides, validateRunConfig } from '../src/config/validate.js';
import { continueConfig } from '../src/train/resume.js';

const scratch = mkdtempSync(join(tmpdir(), 'mnf-legacy-keys-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function legacy(config: Record<string, unknown>): Record<string, unknown> {
  const { lrHead, ...rest } = config;
  return { ...rest, lrMnf: lrHead };
}

describe('lrMnf, the old name of lrHead', () => {
  it('a config file with lrMnf sets lrHead', () => {
    expect(validateOverrides({ lrMnf: 0.003 }, 'old.json')).toEqual({ lrHead: 0.003 });
  });

  it('a file with both is refused (lrMnf is then an unknown key); a bad lrMnf is named as lrHead', () => {
    expect(() => validateOverrides({ lrMnf: 0.003, lrHead: 0.001 }, 'both.json')).toThrow(/both\.json: .*lrMnf/);
    expect(() => validateOverrides({ lrMnf: 'fast' }, 'bad.json')).toThrow(/^bad\.json: 'lrHead' must be a number/);
  });

  it("an old run folder's config.json validates, with lrHead", () => {
    const config = resolveConfig('tiny', {});
    writeFileSync(join(scratch, 'config.json'), JSON.stringify(legacy(config)));
    expect(validateRunConfig(legacy(config), join(scratch, 'config.json'))).toEqual(config);
  });

  it("a checkpoint's old config continues with its lrMnf as lrHead", () => {
    const config = resolveConfig('tiny', { lrHead: 0.0042 });
    const continued = continueConfig(legacy(config) as unknown as typeof config, { epochs: 9 });
    expect(continued.lrHead).toBe(0.0042);
    expect('lrMnf' in continued).toBe(false);
    expect(continued.epochs).toBe(9);
  });
});
