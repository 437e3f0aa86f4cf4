#!/usr/bin/env node
// npm's install hook for mnf-tui: checks the system libraries, builds the native addon with
// cmake-js (offline: node-api-headers, no downloads), then compiles the TypeScript.
//   --build-only   skip the system check
//   MNF_CUDA=OFF                  build without CUDA even when nvcc is found
//   CMAKE_CUDA_ARCHITECTURES=90   override the default 80;86;89;90
//   MNF_SKIP_NATIVE=1             skip the addon build (the package then runs on tfjs's cpu backend)
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const system = JSON.parse(readFileSync(join(root, 'scripts/system-packages.json'), 'utf8'));
const buildOnly = process.argv.includes('--build-only');

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
  return r.status === 0;
}
function has(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}
function dpkgInstalled(pkg) {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.includes('install ok installed');
}
function fail(line) {
  console.error(`mnf-tui install: ${line}`);
  process.exit(1);
}

function ensureSystemPackages() {
  const wanted = system.build.packages;
  if (!has('dpkg-query')) {
    console.error(`mnf-tui install: not a Debian system; make sure these are installed: ${wanted.join(' ')}`);
    return;
  }
  const missing = wanted.filter((p) => !dpkgInstalled(p));
  if (missing.length === 0) return;
  const command = `apt-get update && apt-get install -y ${missing.join(' ')}`;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !has('apt-get')) fail(`missing system packages (${system.build.why}); run: sudo sh -c '${command}'`);
  console.error(`mnf-tui install: installing ${missing.join(' ')}`);
  if (!run('sh', ['-c', `DEBIAN_FRONTEND=noninteractive ${command}`])) fail(`'${command}' failed`);
}

function buildNative() {
  if (process.env.MNF_SKIP_NATIVE === '1') {
    console.error('mnf-tui install: MNF_SKIP_NATIVE=1, addon not built');
    return;
  }
  const cmakeJs = join(root, 'node_modules/cmake-js/bin/cmake-js');
  if (!existsSync(cmakeJs)) fail('cmake-js is missing from node_modules; run npm install first');
  const args = [cmakeJs, 'compile', '--out', 'build', '--parallel', String(Math.max(2, Number(process.env.MNF_BUILD_JOBS ?? 2)))];
  if (process.env.MNF_CUDA) args.push(`--CDMNF_CUDA=${process.env.MNF_CUDA}`);
  if (process.env.CMAKE_CUDA_ARCHITECTURES) args.push(`--CDCMAKE_CUDA_ARCHITECTURES=${process.env.CMAKE_CUDA_ARCHITECTURES}`);
  if (!has('nvcc') && existsSync('/usr/local/cuda/bin/nvcc')) {
    process.env.PATH = `${process.env.PATH}:/usr/local/cuda/bin`;
  }
  if (!run(process.execPath, args)) fail('native addon build failed (see the cmake output above)');
}

function buildTypeScript() {
  const tsc = join(root, 'node_modules/typescript/bin/tsc');
  if (!existsSync(tsc)) fail('typescript is missing from node_modules; run npm install first');
  if (!run(process.execPath, [tsc, '-p', 'tsconfig.json'])) fail('TypeScript build failed');
}

if (!buildOnly) ensureSystemPackages();
buildNative();
if (!buildOnly) buildTypeScript();
