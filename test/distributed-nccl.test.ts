// NCCL where it cannot run: why not (no libnccl, no GPU, a build without CUDA) in one line, the
// MNF_NCCL_LIB override and the loading of a stub libnccl.so.2 built here with the C compiler (the
// library loads once per process, so each case runs in a child process), the argument checks at the
// addon boundary, and the gradient averager declining the emulated device. A 2-rank allreduce on
// device buffers needs 2 GPUs and a real NCCL: not run here.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend/select.js';
import { singleProcessCollectives } from '../src/distributed/collectives.js';
import { openNcclGradientAverager } from '../src/distributed/nccl-gradients.js';
import { addonProblem, loadAddon } from '../src/native/addon.js';
import { cudaLibraries } from '../src/native/cuda-libraries.js';
import { deviceInfo } from '../src/native/device.js';
import { DeviceMemory, type DeviceHandle } from '../src/native/device-memory.js';
import { emulatedCudaWorld } from './engine-fixture.js';

const ROOT = join(__dirname, '..');
const loads = addonProblem() === undefined;
const info = loads ? deviceInfo() : undefined;
const cudaBuilt = info?.cudaBuilt === true;
const gpus = info?.devices.length ?? 0;
const compiler = ['cc', 'gcc', 'clang'].find((name) => spawnSync(name, ['--version']).status === 0);

interface ChildReport {
  problem: string | null;
  id?: number[];
  idError?: string;
}

/** ncclProblem() and ncclUniqueId() in a fresh process (the library loads once per process) with `env`. */
function inChild(env: NodeJS.ProcessEnv): ChildReport {
  const script = `const m = await import(${JSON.stringify(join(ROOT, 'src', 'native', 'nccl.ts'))});
const out = { problem: m.ncclProblem() ?? null };
try { out.id = Array.from(m.ncclUniqueId()); } catch (e) { out.idError = e.message; }
process.stdout.write(JSON.stringify(out));`;
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'MNF_NCCL_LIB'));
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    cwd: ROOT,
    timeout: 60_000,
    env: { ...clean, ...env },
  });
  if (r.status !== 0) throw new Error(`child failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as ChildReport;
}

describe.skipIf(!loads)('ncclProblem', () => {
  it('names what is missing on this machine in one line, or nothing where NCCL can run', () => {
    const report = inChild({});
    const nccl = cudaLibraries().libraries.nccl;
    if (!cudaBuilt) expect(report.problem).toMatch(/^NCCL needs the CUDA build: /);
    else if (!nccl.found) expect(report.problem).toMatch(/^(NCCL's libnccl\.so\.2 not found \(searched .+\)|.*libnccl\.so\.2 does not load: .*)$/);
    else if (gpus === 0) expect(report.problem).toMatch(/^NCCL needs a CUDA GPU: /);
    else expect(report.problem).toBeNull();
    if (report.problem !== null) {
      expect(report.problem).not.toContain('\n');
      // a unique id needs the library, not a GPU: it fails with the same reason when the library is what is missing
      if (!cudaBuilt || !nccl.found) expect(report.idError).toBe(report.problem);
    }
  });

  it('MNF_NCCL_LIB naming a file that does not load: one line naming it', () => {
    const report = inChild({ MNF_NCCL_LIB: '/nonexistent/libnccl.so.2' });
    if (!cudaBuilt) {
      expect(report.problem).toMatch(/^NCCL needs the CUDA build: /);
      return;
    }
    expect(report.problem).toMatch(/^MNF_NCCL_LIB=\/nonexistent\/libnccl\.so\.2 does not load: .*No such file or directory$/);
    expect(report.problem).not.toContain('\n');
    expect(report.idError).toBe(report.problem);
  });
});

describe.skipIf(!loads || !cudaBuilt || !compiler)('a stub libnccl.so.2 (built here)', () => {
  let root = '';
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'mnf-nccl-'));
  });
  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  // every call the addon binds; the unique id is the bytes 0..127
  const FULL = `
int ncclGetVersion(int* v) { *v = 22703; return 0; }
int ncclGetUniqueId(char* id) { for (int i = 0; i < 128; ++i) id[i] = (char)i; return 0; }
int ncclCommInitRank(void** c, int n, char id[128], int r) { return 5; }
int ncclAllReduce(void) { return 5; }
int ncclAllGather(void) { return 5; }
int ncclBroadcast(void) { return 5; }
int ncclCommDestroy(void* c) { return 0; }
const char* ncclGetErrorString(int r) { return r == 0 ? "no error" : "invalid usage"; }
`;

  function build(file: string, source: string): string {
    const c = join(root, `${file}.c`);
    writeFileSync(c, source);
    const r = spawnSync(compiler!, ['-shared', '-fPIC', '-o', join(root, file), c], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${compiler} failed on ${file}: ${r.stderr}`);
    return join(root, file);
  }

  it('loaded through MNF_NCCL_LIB: the library is not the problem, and ncclUniqueId gives its 128 bytes', () => {
    const file = build('libnccl-full.so', FULL + 'int ncclCommAbort(void* c) { return 0; }\n');
    const report = inChild({ MNF_NCCL_LIB: file });
    if (gpus === 0) expect(report.problem).toMatch(/^NCCL needs a CUDA GPU: /);
    else expect(report.problem).toBeNull();
    expect(report.id).toEqual(Array.from({ length: 128 }, (_, i) => i));
  });

  it('one lacking a call the addon needs: one line naming the file and the symbol', () => {
    const file = build('libnccl-partial.so', FULL);
    const report = inChild({ MNF_NCCL_LIB: file });
    expect(report.problem).toBe(`${file} lacks ncclCommAbort (not NCCL 2.x?)`);
    expect(report.idError).toBe(report.problem);
  });
});

describe.skipIf(!loads)('the NCCL functions at the addon boundary', () => {
  const id = new Uint8Array(128);

  it.skipIf(cudaBuilt)('a build without CUDA: each says NCCL needs the CUDA build', () => {
    const addon = loadAddon();
    const device = new DeviceMemory('emulated').handle;
    expect(addon.ncclProblem()).toMatch(/^NCCL needs the CUDA build: /);
    expect(() => addon.ncclUniqueId()).toThrow(/^NCCL needs the CUDA build: /);
    expect(() => addon.ncclInit(device, id, 0, 1)).toThrow(/^NCCL needs the CUDA build: /);
    expect(() => addon.ncclAllreduceSumDevice(device, 1, 1)).toThrow(/^NCCL needs the CUDA build: /);
    expect(() => addon.ncclFinalize()).not.toThrow();
  });

  it.skipIf(!cudaBuilt)('ncclInit checks the device handle, the id, the rank and the size before loading NCCL', () => {
    const addon = loadAddon();
    const device = new DeviceMemory('emulated');
    expect(() => addon.ncclInit({} as DeviceHandle, id, 0, 1)).toThrow(new TypeError('device: expected a handle from deviceOpen'));
    expect(() => addon.ncclInit(device.handle, Array.from(id) as unknown as Uint8Array, 0, 1)).toThrow(new TypeError('id: expected a Uint8Array'));
    expect(() => addon.ncclInit(device.handle, new Uint8Array(127), 0, 1)).toThrow(new RangeError('id: expected the 128 bytes of ncclUniqueId, got 127'));
    expect(() => addon.ncclInit(device.handle, id, 0, 0)).toThrow(new RangeError('size: expected a world size >= 1, got 0'));
    expect(() => addon.ncclInit(device.handle, id, 2, 2)).toThrow(new RangeError('rank: expected 0..1, got 2'));
    expect(() => addon.ncclInit(device.handle, id, -1, 2)).toThrow(new RangeError('rank: expected 0..1, got -1'));
    expect(() => addon.ncclInit(device.handle, id, 0, 1)).toThrow('ncclInit: NCCL needs the CUDA device, not emulated (host memory)');
  });

  it.skipIf(!cudaBuilt)('the collectives check their buffers against the counts, then refuse until ncclInit', () => {
    const addon = loadAddon();
    const device = new DeviceMemory('emulated');
    const buffer = device.alloc(8);
    const h = device.handle;
    expect(() => addon.ncclAllreduceSumDevice(h, buffer, 3)).toThrow(
      new RangeError(`buffer: expected a buffer of 12 bytes (its shape × dtype), buffer ${buffer} has 8`),
    );
    expect(() => addon.ncclAllreduceSumDevice(h, buffer, -1)).toThrow(new RangeError('elements: expected 0..2^48, got -1'));
    expect(() => addon.ncclAllreduceSumDevice(h, buffer + 1, 2)).toThrow(new RangeError(`buffer: unknown buffer ${buffer + 1}`));
    expect(() => addon.ncclAllreduceSumDevice(h, buffer, 2)).toThrow('ncclAllreduceSumDevice: NCCL is not initialized (call ncclInit first)');
    expect(() => addon.ncclAllgatherDevice(h, buffer, buffer, 8)).toThrow('ncclAllgatherDevice: NCCL is not initialized (call ncclInit first)');
    expect(() => addon.ncclBroadcastDevice(h, buffer, 8, 0)).toThrow('ncclBroadcastDevice: NCCL is not initialized (call ncclInit first)');
    expect(() => addon.ncclBroadcastDevice(h, buffer, 8, 'x' as unknown as number)).toThrow(TypeError);
    expect(() => addon.ncclFinalize()).not.toThrow();
    device.free(buffer);
  });
});

describe.skipIf(!loads)('openNcclGradientAverager', () => {
  emulatedCudaWorld();
  afterAll(() => initBackend('native'));

  it('on backend cuda over the emulated device: unavailable, saying NCCL needs a CUDA GPU', async () => {
    await initBackend('cuda');
    const averager = await openNcclGradientAverager(singleProcessCollectives());
    expect(averager).toEqual({ kind: 'unavailable', reason: 'backend cuda runs on the emulated device; NCCL needs a CUDA GPU' });
  });

  it('on a host backend: unavailable, naming the backend', async () => {
    await initBackend('native');
    const averager = await openNcclGradientAverager(singleProcessCollectives());
    expect(averager).toEqual({ kind: 'unavailable', reason: "gradients are on backend 'native'; NCCL needs backend cuda" });
  });
});
