// The dlopen search for cuDNN, cuBLAS, cuBLASLt and NCCL (native/device/cuda_libraries.cc) against
// stub shared libraries built here with the C compiler. The search runs once per process, so each
// case runs in a child process with its own MNF_CUDA_LIBS / LD_LIBRARY_PATH.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CudaLibrariesReport } from '../src/native/cuda-libraries.js';
import { cli, ROOT } from './cli-process.js';

const compiler = ['cc', 'gcc', 'clang'].find((name) => spawnSync(name, ['--version']).status === 0);
const TOOLKIT = ['/usr/local/cuda/lib64', '/usr/local/cuda/targets/x86_64-linux/lib', '/usr/lib/x86_64-linux-gnu'];
const FILES = ['libcudnn.so.9', 'libcublas.so.13', 'libcublas.so.12', 'libcublasLt.so.13', 'libcublasLt.so.12', 'libnccl.so.2'];

/** Whether this machine has any of the libraries where the search looks besides MNF_CUDA_LIBS. */
function machineHasCudaLibraries(): boolean {
  const children = (dir: string) => (existsSync(dir) ? readdirSync(dir).map((name) => join(dir, name)) : []);
  const wheels = ['/usr/lib', '/usr/local/lib', join(homedir(), '.local', 'lib')]
    .flatMap(children)
    .filter((dir) => /\/python3[^/]*$/.test(dir))
    .flatMap((python) => ['site-packages', 'dist-packages'].flatMap((packages) => children(join(python, packages, 'nvidia'))))
    .map((wheel) => join(wheel, 'lib'));
  const folders = [...(process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean), ...TOOLKIT, ...wheels];
  return folders.some((dir) => FILES.some((file) => existsSync(join(dir, file))));
}

let root = '';
/** the four libraries with working version calls */
let full = '';
/** libcudnn.so.9 without cudnnGetVersion, libnccl.so.2 whose ncclGetVersion fails, libcublas.so.12 only,
 * libcublasLt.so.13 that is not a shared library */
let broken = '';
let empty = '';

function stub(dir: string, file: string, source: string): void {
  const c = join(root, `${file}.c`);
  writeFileSync(c, source);
  const r = spawnSync(compiler!, ['-shared', '-fPIC', '-o', join(dir, file), c], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${compiler} failed on ${file}: ${r.stderr}`);
}

/** cudaLibraries() in a fresh process with `env` added. */
function search(env: NodeJS.ProcessEnv): CudaLibrariesReport {
  const script = `const m = await import(${JSON.stringify(join(ROOT, 'src', 'native', 'cuda-libraries.ts'))}); process.stdout.write(JSON.stringify(m.cudaLibraries()));`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    cwd: ROOT,
    timeout: 60_000,
    env: { ...process.env, ...env },
  });
  if (r.status !== 0) throw new Error(`child failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as CudaLibrariesReport;
}

const TITLE = compiler ? 'cuda library search (dlopen)' : 'cuda library search (dlopen): skipped, no C compiler (cc, gcc or clang) to build the stub libraries';

describe.skipIf(!compiler)(TITLE, () => {
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'mnf-cuda-libs-'));
    full = join(root, 'full');
    broken = join(root, 'broken');
    empty = join(root, 'empty');
    for (const dir of [full, broken, empty]) mkdirSync(dir);
    stub(full, 'libcudnn.so.9', 'unsigned long cudnnGetVersion(void) { return 90100; }\n');
    stub(full, 'libcublas.so.13', 'int cublasGetProperty(int type, int* value) { static const int v[] = {13, 1, 0}; if (type < 0 || type > 2) return 7; *value = v[type]; return 0; }\n');
    stub(full, 'libcublasLt.so.13', 'unsigned long cublasLtGetVersion(void) { return 130100; }\n');
    stub(full, 'libnccl.so.2', 'int ncclGetVersion(int* version) { *version = 22703; return 0; }\n');
    stub(broken, 'libcudnn.so.9', 'int cudnnCreate(void** handle) { *handle = 0; return 0; }\n');
    stub(broken, 'libnccl.so.2', 'int ncclGetVersion(int* version) { return 3; }\n');
    stub(broken, 'libcublas.so.12', 'int cublasGetProperty(int type, int* value) { static const int v[] = {12, 8, 4}; *value = v[type]; return 0; }\n');
    writeFileSync(join(broken, 'libcublasLt.so.13'), 'not a shared library\n');
  });
  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('finds each library planted in MNF_CUDA_LIBS and reads its version through its own call', () => {
    const report = search({ MNF_CUDA_LIBS: full });
    expect(report.searched[0]).toBe(full);
    expect(report.libraries).toEqual({
      cudnn: { found: true, path: join(full, 'libcudnn.so.9'), version: '9.1.0' },
      cublas: { found: true, path: join(full, 'libcublas.so.13'), version: '13.1.0' },
      cublasLt: { found: true, path: join(full, 'libcublasLt.so.13'), version: '13.1.0' },
      nccl: { found: true, path: join(full, 'libnccl.so.2'), version: '2.27.3' },
    });
  });

  it('searches MNF_CUDA_LIBS folders in order, then LD_LIBRARY_PATH, then the CUDA toolkit folders', () => {
    const report = search({ MNF_CUDA_LIBS: `${broken}:${empty}`, LD_LIBRARY_PATH: full });
    expect(report.searched.slice(0, 6)).toEqual([broken, empty, full, ...TOOLKIT]);
    // broken/ comes first, so its cuDNN is taken even though full/ has a working one
    expect(report.libraries.cudnn.path).toBe(join(broken, 'libcudnn.so.9'));
    // a file that does not load is passed over for the next folder's
    expect(report.libraries.cublasLt).toEqual({ found: true, path: join(full, 'libcublasLt.so.13'), version: '13.1.0' });
  });

  it('a library whose version call is missing or fails is found, with version null and the reason', () => {
    const report = search({ MNF_CUDA_LIBS: broken, LD_LIBRARY_PATH: '' });
    expect(report.libraries.cudnn).toEqual({
      found: true,
      path: join(broken, 'libcudnn.so.9'),
      version: null,
      problem: `no cudnnGetVersion in ${join(broken, 'libcudnn.so.9')}`,
    });
    expect(report.libraries.nccl).toEqual({ found: true, path: join(broken, 'libnccl.so.2'), version: null, problem: 'ncclGetVersion returned status 3' });
    // .so.13 is preferred but does not exist here: .so.12 is taken
    expect(report.libraries.cublas).toEqual({ found: true, path: join(broken, 'libcublas.so.12'), version: '12.8.4' });
  });

  it.skipIf(machineHasCudaLibraries())("finds PyTorch's wheels under ~/.local/lib/python3*/site-packages/nvidia/*/lib", () => {
    const home = join(root, 'home');
    const wheel = join(home, '.local', 'lib', 'python3.12', 'site-packages', 'nvidia', 'cudnn', 'lib');
    mkdirSync(wheel, { recursive: true });
    stub(wheel, 'libcudnn.so.9', 'unsigned long cudnnGetVersion(void) { return 91002; }\n');
    const report = search({ MNF_CUDA_LIBS: empty, HOME: home });
    expect(report.searched.at(-1)).toBe(wheel);
    expect(report.libraries.cudnn).toEqual({ found: true, path: join(wheel, 'libcudnn.so.9'), version: '9.10.2' });
  });

  it.skipIf(machineHasCudaLibraries())('a file that exists but does not load is reported with dlopen\'s reason when nothing else loads', () => {
    const report = search({ MNF_CUDA_LIBS: broken, LD_LIBRARY_PATH: '' });
    expect(report.libraries.cublasLt.found).toBe(false);
    expect(report.libraries.cublasLt.problem).toMatch(new RegExp(`^${join(broken, 'libcublasLt.so.13').replace(/[.]/g, '\\.')} does not load: .+`));
  });

  it.skipIf(machineHasCudaLibraries())('with MNF_CUDA_LIBS at an empty folder (and none on this machine), nothing is found', () => {
    const report = search({ MNF_CUDA_LIBS: empty });
    expect(report.searched[0]).toBe(empty);
    expect(report.searched).toEqual(expect.arrayContaining(TOOLKIT));
    for (const name of ['cudnn', 'cublas', 'cublasLt', 'nccl'] as const) expect(report.libraries[name]).toEqual({ found: false });
  });

  it('doctor --json reports the libraries found and the folders searched; the text form has one line per library', () => {
    const json = cli(['doctor', '--json'], { MNF_CUDA_LIBS: full });
    expect(json.code, json.stderr).toBe(0);
    const { cuda } = JSON.parse(json.stdout) as { cuda: { libraries: CudaLibrariesReport['libraries']; searched: string[] } };
    expect(cuda.searched[0]).toBe(full);
    expect(cuda.libraries.cudnn).toEqual({ found: true, path: join(full, 'libcudnn.so.9'), version: '9.1.0' });
    expect(cuda.libraries.nccl).toEqual({ found: true, path: join(full, 'libnccl.so.2'), version: '2.27.3' });

    const text = cli(['doctor'], { MNF_CUDA_LIBS: broken, LD_LIBRARY_PATH: full });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(`CUDA library cudnn: version unknown: no cudnnGetVersion in ${join(broken, 'libcudnn.so.9')} (${join(broken, 'libcudnn.so.9')})\n`);
    expect(text.stdout).toContain(`CUDA library cublas: 12.8.4 (${join(broken, 'libcublas.so.12')})\n`);
    expect(text.stdout).toContain(`CUDA library cublasLt: 13.1.0 (${join(full, 'libcublasLt.so.13')})\n`);
    expect(text.stdout).toContain(`CUDA library nccl: version unknown: ncclGetVersion returned status 3 (${join(broken, 'libnccl.so.2')})\n`);
  });

  it.skipIf(machineHasCudaLibraries())('doctor --json with MNF_CUDA_LIBS at an empty folder shows every library not found', () => {
    const json = cli(['doctor', '--json'], { MNF_CUDA_LIBS: empty });
    expect(json.code, json.stderr).toBe(0);
    const { cuda } = JSON.parse(json.stdout) as { cuda: { libraries: CudaLibrariesReport['libraries']; searched: string[] } };
    expect(cuda.searched[0]).toBe(empty);
    expect(cuda.libraries).toEqual({ cudnn: { found: false }, cublas: { found: false }, cublasLt: { found: false }, nccl: { found: false } });
  });
});
