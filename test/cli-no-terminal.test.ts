// Without a terminal the console never waits for keys: one hint line, and headless training only
// when --headless or CI says so.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tinyWorld, type TinyWorld } from './engine-fixture.js';

const root = join(__dirname, '..');
function cli(args: string[], env: NodeJS.ProcessEnv) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src', 'cli.ts'), ...args], {
    encoding: 'utf8',
    cwd: root,
    timeout: 120_000,
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const withoutCI = () => {
  const env = { ...process.env };
  delete env.CI;
  return env;
};

let world: TinyWorld;
beforeAll(async () => {
  world = await tinyWorld();
});
afterAll(() => world?.cleanup());

describe('no terminal', () => {
  it('mnf-tui with no TTY and no CI prints one hint line and exits 2 without training', () => {
    const r = cli(['--preset', 'tiny', '--dataset', world.dataset, '--out', join(world.root, 'never')], withoutCI());
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual(['mnf-tui: no terminal for the console; add --headless (or set CI) to train without it']);
    expect(r.stdout).toBe('');
  });

  it('with CI set it trains headless after one hint line', () => {
    const out = join(world.root, 'ci-run');
    const r = cli(['train', '--preset', 'tiny', '--epochs', '1', '--batch', '3', '--dataset', world.dataset, '--out', out, '--backend', 'native'], {
      ...withoutCI(),
      CI: 'true',
    });
    expect(r.code).toBe(0);
    expect(r.stderr.split('\n')[0]).toBe('mnf-tui: no terminal (CI is set): training headless, progress as text on stderr');
    expect(r.stdout).toBe('');
  });
});
