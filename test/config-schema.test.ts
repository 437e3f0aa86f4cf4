// The config schema is the one definition: every preset satisfies it, the method registry has
// exactly its method names, and checking a configuration loads neither tfjs nor the registry.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PRESET_NAMES, resolveConfig } from '../src/config/presets.js';
import { METHOD_NAMES } from '../src/config/types.js';
import { validateRunConfig } from '../src/config/validate.js';

const root = join(__dirname, '..');

describe('config schema', () => {
  it.each(PRESET_NAMES)('preset %s is a valid RunConfig', (name) => {
    expect(() => validateRunConfig(resolveConfig(name), `preset ${name}`)).not.toThrow();
  });

  it('the method registry defines exactly the schema’s method names, each under its own name', async () => {
    const { METHODS } = await import('../src/methods/registry.js');
    expect(Object.keys(METHODS)).toEqual([...METHOD_NAMES]);
    for (const name of METHOD_NAMES) expect(METHODS[name].name).toBe(name);
  });

  it('the config modules and the help pages load no tfjs (the console’s thread imports them)', () => {
    const script = [
      "import { createRequire } from 'node:module';",
      "await import('./src/config/load.ts');",
      "await import('./src/commands/help.ts');",
      "const loaded = Object.keys(createRequire(import.meta.url).cache).filter((k) => k.includes('@tensorflow'));",
      'process.stdout.write(JSON.stringify(loaded));',
    ].join('\n');
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual([]);
  }, 60_000);
});
