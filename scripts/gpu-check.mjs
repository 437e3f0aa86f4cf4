#!/usr/bin/env node
// The project's CUDA checks on a GPU machine, one JSON document (stdout, and --out FILE, default
// $OUT/gpu-check.json where $OUT is set); exit 1 when a comparison fails or no GPU is usable:
//   twins       every CUDA kernel against its emulated twin (src/native/twins: ALL_TWIN_CASES)
//   full_step   one mnf-csc training step, backend cuda (TF32 off) vs native: every loss and every
//               updated weight to 1e-3 relative
//   bench       `mnf-tui bench step --preset ucf51` on backend cuda at fp32 and bf16, against PyTorch
//               eager fp32 and bf16 autocast on the same GPU: clips/s each
//   training    a 2-epoch headless run on a generated dataset: the device memory after each epoch's
//               last step; flat when the memory in use after the second is no more than after the
//               first (the cache may still grow: the first evaluation runs between them)
//   csc, decode the CUDA CSC and clip transform against their CPU twins, and the CSC's timing
//   nccl        NCCL found and initialised for one rank, and its allreduce of a device buffer (the
//               sum over one rank: the buffer unchanged); skipped, with the reason, without NCCL
//   gpu         the GPU's name
// Needs only Node, the addon and the code: from the repository (dist/ built) or from the device
// kit (scripts/device-kit.mjs), where `bash .device-kit/run.sh gpu-check.mjs` runs it.
//   node scripts/gpu-check.mjs [--out FILE] [--repeats 20] [--dry-run]
// --dry-run runs every step with the emulated device and the CPU in place of CUDA, on tiny sizes
// (checks the script itself where there is no GPU; its figures mean nothing).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { initBackend } from '../dist/src/backend/select.js';
import { randomBatch } from '../dist/src/bench/step.js';
import { resolveConfig } from '../dist/src/config/presets.js';
import { makeSynthetic } from '../dist/src/data/synthetic.js';
import { cscLossGrad } from '../dist/src/native/csc.js';
import { deviceInfo } from '../dist/src/native/device.js';
import { DeviceMemory } from '../dist/src/native/device-memory.js';
import { ncclAllreduceSumDevice, ncclFinalize, ncclInit, ncclProblem, ncclUniqueId } from '../dist/src/native/nccl.js';
import { compareCscTwin, compareTransformTwin, CSC_TWIN_CASES, cscTwinInputs } from '../dist/src/native/twin-check.js';
import { relativeError } from '../dist/src/native/twins/buffers.js';
import { compareTwin } from '../dist/src/native/twins/compare.js';
import { ALL_TWIN_CASES } from '../dist/src/native/twins/index.js';
import { createTrainer } from '../dist/src/train/trainer.js';

const started = performance.now();
const { values } = parseArgs({ options: { out: { type: 'string' }, repeats: { type: 'string' }, 'dry-run': { type: 'boolean' } } });
const repeats = Number(values.repeats ?? 20);
const dryRun = values['dry-run'] === true;
const outFile = values.out ?? (process.env.OUT ? join(process.env.OUT, 'gpu-check.json') : undefined);
/** the CSC and clip-transform twins' device name, and backend cuda's device */
const GPU = dryRun ? 'cpu' : 'cuda';
const CUDA_DEVICE = dryRun ? 'emulated' : 'cuda';
const FULL_STEP_TOLERANCE = 1e-3;
// the CLI: beside this file in the device kit, else the compiled one
const cli = [new URL('./cli.mjs', import.meta.url), new URL('../dist/src/cli.js', import.meta.url)].map(fileURLToPath).find((p) => existsSync(p));
const cliEnv = { ...process.env, ...(dryRun ? { MNF_CUDA_DEVICE: 'emulated' } : {}) };

const info = deviceInfo();
const report = {
  dry_run: dryRun,
  gpu: info.devices[0]?.name ?? null,
  node: { path: process.execPath, version: process.version },
  device: info,
  seconds: null,
  twins: null,
  full_step: null,
  bench: null,
  training: null,
  csc: { agreement: [], timing: [] },
  decode: null,
  nccl: null,
  failures: [],
};
if (info.devices.length === 0 && !dryRun) {
  report.failures.push(`no CUDA device: ${info.cudaReason}`);
  finish();
}

await section('twins', checkTwins);
await section('full_step', checkFullStep);
await section('bench', benchStep);
await section('training', trainTwoEpochs);
await section('csc', checkCsc);
await section('decode', checkDecode);
await section('nccl', checkNccl);
finish();

/** Runs one check; a check that throws is a failure naming it, and the others still run. */
async function section(name, check) {
  const t0 = performance.now();
  try {
    await check();
  } catch (err) {
    report.failures.push(`${name}: ${err.message.split('\n')[0]}`);
  }
  process.stderr.write(`gpu-check: ${name} ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
}

async function checkTwins() {
  const gpu = new DeviceMemory(CUDA_DEVICE);
  const emulated = new DeviceMemory('emulated');
  const results = [];
  for (const c of ALL_TWIN_CASES) results.push(await compareTwin(c, gpu, emulated));
  const failed = results.filter((r) => !r.ok);
  report.twins = { cases: results.length, failed: failed.length, results };
  for (const r of failed) report.failures.push(`twin ${r.family} ${r.name}: ${r.failure ?? `relative error ${r.error} > ${r.tolerance}`}`);
}

/** One step from the same weights and batch on native, then on backend cuda with TF32 off. */
async function checkFullStep() {
  const config = resolveConfig(dryRun ? 'tiny' : 'bench-s', { method: 'mnf-csc' });
  const batch = randomBatch(config, config.seed);
  const stepOn = async (backend, options) => {
    await initBackend(backend, options);
    const trainer = createTrainer(config);
    try {
      const { losses } = await trainer.step(batch);
      return { losses, state: trainer.getState() };
    } finally {
      trainer.dispose();
    }
  };
  const native = await stepOn('native', {});
  const cuda = await stepOn('cuda', { device: CUDA_DEVICE, math: { precision: 'fp32', tf32: false } });
  const errors = {};
  for (const [name, value] of Object.entries(native.losses)) errors[`loss ${name}`] = relativeError([cuda.losses[name] ?? NaN], [value]);
  for (const [name, { data }] of Object.entries(native.state)) errors[name] = cuda.state[name] ? relativeError(cuda.state[name].data, data) : Infinity;
  const worst = Object.entries(errors).reduce((a, b) => (Number.isNaN(b[1]) || b[1] > a[1] ? b : a), ['', 0]);
  report.full_step = {
    preset: config.preset,
    batch: config.batch,
    clip: [config.clipLength, config.size, config.size],
    tf32: false,
    tolerance: FULL_STEP_TOLERANCE,
    max_relative_error: worst[1],
    worst: worst[1] > 0 ? worst[0] : null,
    losses: { native: native.losses, cuda: cuda.losses },
    compared: Object.keys(errors).length,
  };
  if (!(worst[1] <= FULL_STEP_TOLERANCE)) report.failures.push(`full step: ${worst[0]} differs from native by ${worst[1]} (> ${FULL_STEP_TOLERANCE})`);
}

/** The CLI as a child process (the kit's Node), its stdout and exit code. */
function runCli(args, timeoutSeconds) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: cliEnv, timeout: timeoutSeconds * 1000, maxBuffer: 256 << 20 });
  if (r.error) throw new Error(`mnf-tui ${args.slice(0, 2).join(' ')}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`mnf-tui ${args.slice(0, 2).join(' ')} exited ${r.status}: ${r.stderr.trim().split('\n').pop() ?? ''}`);
  return r.stdout;
}

/** bench step on backend cuda at each precision, against PyTorch at the same precision. */
async function benchStep() {
  const sizes = dryRun ? ['--preset', 'tiny', '--steps', '1', '--warmup', '0'] : ['--preset', 'ucf51', '--steps', '10', '--warmup', '3'];
  report.bench = {};
  for (const precision of ['fp32', 'bf16']) {
    const args = ['bench', 'step', ...sizes, '--backend', 'cuda', '--no-native', '--no-console', '--json', '--precision', precision, '--tf32', 'on'];
    const bench = JSON.parse(runCli(args, 150));
    const clipsPerSecond = (ms) => (ms ? (bench.batch * 1000) / ms : null);
    const ours = clipsPerSecond(bench.cuda.ms_per_step);
    const pytorch = clipsPerSecond(bench.pytorch_ms_per_step);
    report.bench[precision] = {
      preset: bench.preset,
      batch: bench.batch,
      clip: bench.clip,
      clips_per_second: ours,
      pytorch_clips_per_second: pytorch,
      pytorch_device: bench.pytorch_device,
      pytorch_precision: bench.pytorch?.precision ?? null,
      torch: bench.pytorch?.torch ?? null,
      speedup_vs_pytorch: ours && pytorch ? ours / pytorch : null,
      pytorch_skipped: bench.pytorch_skipped,
      cuda: bench.cuda,
    };
    if (!dryRun && bench.pytorch_skipped) report.failures.push(`bench ${precision}: PyTorch baseline skipped: ${bench.pytorch_skipped}`);
  }
}

/** A 2-epoch headless run on backend cuda over a generated dataset: device memory after each epoch. */
async function trainTwoEpochs() {
  const root = mkdtempSync(join(tmpdir(), 'mnf-gpu-check-run-'));
  try {
    const dataset = join(root, 'data');
    const data = dryRun ? { classes: 2, videosPerClass: 6, frames: 8, size: 48 } : { classes: 4, videosPerClass: 20, frames: 20, size: 120 };
    await makeSynthetic({ out: dataset, seed: 3, ...data });
    const sizes = dryRun ? ['--preset', 'tiny', '--batch', '4'] : ['--preset', 'ucf51', '--batch', '16'];
    const args = ['train', '--headless', ...sizes, '--dataset', dataset, '--epochs', '2', '--backend', 'cuda', '--out', join(root, 'run')];
    const events = runCli(args, 150)
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line));
    const steps = events.filter((e) => e.type === 'step');
    const done = events.find((e) => e.type === 'done');
    // the memory after each epoch's last step
    const perEpoch = [0, 1].map((epoch) => steps.filter((s) => s.epoch === epoch).at(-1)?.memory ?? null);
    const [first, second] = perEpoch;
    const flat = first && second ? second.inUseBytes <= first.inUseBytes : null;
    report.training = {
      preset: done?.results?.preset ?? null,
      steps: steps.length,
      clips_per_second: steps.length ? steps.reduce((a, s) => a + s.clipsPerSecond, 0) / steps.length : null,
      memory_after_epoch: perEpoch,
      allocations_in_second_epoch: first && second ? second.allocations - first.allocations : null,
      cache_growth_bytes: first && second ? second.cachedBytes - first.cachedBytes : null,
      memory_flat: flat,
      results: done?.results ?? null,
    };
    if (!done) report.failures.push('training: the run ended without a done event');
    if (flat === null) report.failures.push('training: no device memory statistics in the step events');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

function checkCsc() {
  for (const [batch, dim, classes, theta, calibrated] of CSC_TWIN_CASES) {
    const row = compareCscTwin(batch, dim, classes, theta, calibrated, GPU);
    report.csc.agreement.push(row);
    if (!(row.loss < 1e-4 && row.dv < 1e-4 && row.dz < 1e-4)) report.failures.push(`CSC B=${batch} D=${dim}: CUDA differs from the CPU twin`);
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  for (const batch of [32, 256, 1024, 4096]) {
    const args = cscTwinInputs(batch, 512, 51, 0.07, true);
    const time = (device) => {
      for (let i = 0; i < 3; i++) cscLossGrad(args, device);
      const ms = [];
      for (let i = 0; i < repeats; i++) {
        const start = performance.now();
        cscLossGrad(args, device);
        ms.push(performance.now() - start);
      }
      return median(ms);
    };
    const cudaMs = time(GPU);
    const cpuMs = batch <= 1024 ? time('cpu') : null;
    report.csc.timing.push({ batch, dim: 512, cuda_ms: cudaMs, cpu_fused_ms: cpuMs, cpu_over_cuda: cpuMs === null ? null : cpuMs / cudaMs });
  }
}

async function checkDecode() {
  const root = mkdtempSync(join(tmpdir(), 'mnf-gpu-check-'));
  try {
    await makeSynthetic({ out: root, classes: 2, videosPerClass: 2, frames: 8, size: 240, seed: 3 });
    const videos = readdirSync(join(root, 'video_set_4fps')).slice(0, 2);
    const { errors, maxAbsDifference: worst } = await compareTransformTwin(videos.map((v) => join(root, 'video_set_4fps', v)), GPU);
    report.decode = { errors, max_abs_difference: worst };
    if (errors.length > 0 || !(worst <= 1e-5)) report.failures.push('CUDA clip transform differs from the CPU path');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

async function checkNccl() {
  const problem = ncclProblem();
  if (problem !== undefined) {
    report.nccl = { skipped: problem };
    return;
  }
  const device = new DeviceMemory('cuda');
  const { version, library } = await ncclInit(device, ncclUniqueId(), 0, 1);
  const values = Float32Array.from({ length: 4096 }, (_, i) => i * 0.5 - 7);
  const buffer = device.alloc(values.byteLength);
  try {
    device.write(buffer, values);
    ncclAllreduceSumDevice(device, buffer, values.length);
    const back = device.readSync(buffer, new Float32Array(values.length));
    const same = back.every((v, i) => v === values[i]);
    report.nccl = { version, library, one_rank_allreduce_unchanged: same };
    if (!same) report.failures.push('NCCL allreduce over one rank changed the buffer');
  } finally {
    device.free(buffer);
    ncclFinalize();
  }
}

function finish() {
  report.seconds = (performance.now() - started) / 1000;
  const text = JSON.stringify(report, null, 2) + '\n';
  if (outFile) writeFileSync(outFile, text);
  process.stdout.write(text);
  process.exit(report.failures.length === 0 ? 0 : 1);
}
