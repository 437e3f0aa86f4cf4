// The device kit (scripts/device-kit.mjs): built into a folder outside the repository, at most
// 60 MiB, and gpu-check.mjs --dry-run runs from a copy of it with only the kit's Node: a bare
// environment (env -i, PATH=/usr/bin:/bin, which holds a node of its own here) and no node_modules
// anywhere above the copy.
import { spawnSync } from 'node:child_process';
import { runProcess } from './run-process.js';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectDryRunReport } from './gpu-check-report.js';

const root = join(__dirname, '..');
const addon = process.env.MNF_ADDON ?? join(root, 'build', 'Release', 'mnf_native.node');
const missing = existsSync(addon) ? '' : `no addon at ${addon} (npm run build:native)`;
const scratch = mkdtempSync(join(tmpdir(), 'mnf-device-kit-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const sizeOf = (path: string): number => (statSync(path).isDirectory() ? readdirSync(path).reduce((sum, f) => sum + sizeOf(join(path, f)), 0) : statSync(path).size);

/** node_modules folders a script in `dir` could resolve packages from */
function nodeModulesAbove(dir: string): string[] {
  const found: string[] = [];
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, 'node_modules'))) found.push(join(d, 'node_modules'));
    if (dirname(d) === d) return found;
  }
}

describe.skipIf(missing !== '')(`the device kit${missing ? ` (skipped: ${missing})` : ''}`, () => {
  const built = join(scratch, 'built');

  it('builds within 60 MiB: Node, the bundles, the addon with its libraries, the PyTorch scripts, run.sh', async () => {
    const r = await runProcess(process.execPath, [join(root, 'scripts', 'device-kit.mjs'), '--out', built], {
      env: { ...process.env, MNF_ADDON: addon },
      timeout: 1_500_000,
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/device kit: .* \(\d+\.\d MiB of 60 MiB\)/);
    expect(readdirSync(built).sort()).toEqual(['cli.mjs', 'gpu-check.mjs', 'native.tar.xz', 'node.xz', 'package.json', 'run.sh', 'scripts', 'worker.js']);
    expect(readdirSync(join(built, 'scripts')).sort()).toEqual(['bench-blas.py', 'bench-step.py', 'reference']);
    expect(JSON.parse(readFileSync(join(built, 'package.json'), 'utf8'))).toMatchObject({ name: 'mnf-tui', type: 'module' });
    expect(sizeOf(built)).toBeLessThanOrEqual(60 * 1024 * 1024);
  }, 1_500_000);

  it('runs gpu-check.mjs --dry-run from a copy outside the repository with only the kit\'s Node', async () => {
    const copy = join(scratch, 'elsewhere', 'kit');
    cpSync(built, copy, { recursive: true });
    expect(nodeModulesAbove(copy)).toEqual([]);
    const out = join(scratch, 'report.json');
    const r = await runProcess('env', ['-i', 'PATH=/usr/bin:/bin', `TMPDIR=${scratch}`, 'bash', join(copy, 'run.sh'), 'gpu-check.mjs', '--dry-run', '--repeats', '1', '--out', out], {
      cwd: scratch,
      timeout: 900_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(readFileSync(out, 'utf8'));
    expectDryRunReport(report);
    // the kit's Node, unpacked by run.sh into TMPDIR (and removed after), not /usr/bin/node
    expect(report.node.path).toMatch(new RegExp(`^${scratch}/mnf-kit\\.\\w+/node$`));
    expect(report.node.version).toBe(process.version);
    expect(readdirSync(scratch).filter((f) => f.startsWith('mnf-kit.'))).toEqual([]);
  }, 900_000);

  it('run.sh names its scripts when given none', () => {
    const r = spawnSync('bash', [join(built, 'run.sh')], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/usage: bash .*run\.sh SCRIPT \[ARGS\.\.\.\] \(SCRIPT: gpu-check\.mjs or cli\.mjs\)/);
  });
});
