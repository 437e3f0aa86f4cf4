// mnf-tui bench step [--json] [--preset bench-s] [--steps 5] [--warmup 2] [--threads N] [--no-pytorch] [--no-console]
//   [--backend native|cuda]  (cuda: the same step on backend cuda too, against native in the same run)
//   [--precision fp32|bf16] [--tf32 on|off] (backend cuda's math mode; PyTorch's baseline computes the same way:
//   bf16 autocast, TF32 allowed or not) [--no-native] (with --backend cuda: backend cuda and PyTorch only)
// With backend cuda on a GPU, the PyTorch baseline runs on that GPU and the ratio is cuda's.
// One full mnf-csc training step (student + MNF + every loss + both Adam steps) on the native
// backend, and the same config in PyTorch CPU (scripts/bench-step.py, same thread count) in the
// same run. Reports ms_per_step, pytorch_ms_per_step, ratio (ours / PyTorch's) and the top
// kernels of one profiled step. OMP_WAIT_POLICY defaults to passive for both sides (set before
// the addon loads; PyTorch inherits it): libgomp's spin-waiting makes every kernel many times
// slower when the 2 cores are shared with other processes. The report names the BLAS PyTorch calls
// (pytorch_blas: Debian's torch runs on the reference BLAS unless libopenblas0-pthread is installed).
// It also measures training throughput with the live console rendering vs headless on the same
// preset (src/bench/console-overhead.tsx).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { DEFAULT_MATH_MODE, type CudaMathMode } from '../backend/cuda/math-mode.js';
import { defaultThreads, initBackend } from '../backend/select.js';
import { choiceFlag, intFlag, parseFlags, UsageError } from '../commands/args.js';
import { checkPrecisionBackend, mathFlags } from '../commands/math-flags.js';
import type { CudaBackend } from '../backend/cuda/backend.js';
import { stepMemoryStats, type StepMemoryStats } from '../backend/cuda/memory-stats.js';
import type { RunConfig } from '../config/types.js';
import type { ClipBatch } from '../data/types.js';
import { Rng } from '../rng.js';
import { packageRoot } from '../native/addon.js';
import { tf } from '../tf.js';
import { createTrainer } from '../train/trainer.js';
import { measureConsoleOverhead, type ConsoleOverhead } from './console-overhead.js';
import { pytorchEnv } from './pytorch-env.js';
import { stepBenchOptions } from './step-options.js';

interface KernelShare {
  name: string;
  ms: number;
  calls: number;
  share: number;
}

/** A batch of random clips, teacher features and labels (also scripts/gpu-check.mjs's full-step comparison). */
export function randomBatch(config: RunConfig, seed: number): ClipBatch {
  const rng = new Rng(seed);
  const b = config.batch;
  const shape: ClipBatch['shape'] = [b, config.clipLength, config.size, config.size, 3];
  const clips = new Float32Array(shape.reduce((x, y) => x * y, 1));
  for (let i = 0; i < clips.length; i++) clips[i] = rng.normal();
  const teacherDim = config.model.teacherDim;
  const teacher = new Float32Array(b * teacherDim);
  for (let i = 0; i < teacher.length; i++) teacher[i] = Math.max(0, rng.normal());
  const labels = Int32Array.from({ length: b }, () => Math.floor(rng.next() * config.model.numClasses));
  return { clips, shape, teacher, teacherDim, labels, videoIndex: Int32Array.from(labels.keys()) };
}

async function topKernels(step: () => void, count: number): Promise<{ totalMs: number; kernels: KernelShare[] }> {
  const profile = await tf.profile(step);
  const byName = new Map<string, { ms: number; calls: number }>();
  let totalMs = 0;
  const backendName = tf.getBackend();
  for (const k of profile.kernels) {
    // customGrad wrappers ('forward', 'fusedMatMul__op', ...) contain kernels listed on their own
    if (!tf.getKernel(k.name, backendName)) continue;
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    const entry = byName.get(k.name) ?? { ms: 0, calls: 0 };
    entry.ms += ms;
    entry.calls += 1;
    byName.set(k.name, entry);
    totalMs += ms;
  }
  const kernels = [...byName]
    .map(([name, { ms, calls }]) => ({ name, ms, calls, share: ms / totalMs }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, count);
  return { totalMs, kernels };
}

/** scripts/bench-blas.py: name is e.g. "openblas-pthread 0.3.21" or "reference" */
interface PytorchBlas {
  name: string;
  core?: string | null;
  [key: string]: unknown;
}

type PytorchResult = { ms_per_step: number; blas: PytorchBlas; [key: string]: unknown } | { skipped: string };

/** The PyTorch baseline, or why it could not run (no Python with torch, script failure). */
function runPytorch(config: RunConfig, threads: number, steps: number, warmup: number, device: 'cpu' | 'cuda', math: CudaMathMode): PytorchResult {
  const python = process.env.MNF_PYTHON ?? '/usr/bin/python3';
  const script = join(packageRoot(), 'scripts', 'bench-step.py');
  const args = [script, '--config', JSON.stringify(config), '--threads', String(threads), '--steps', String(steps), '--warmup', String(warmup)];
  args.push('--device', device, '--precision', math.precision, '--tf32', math.tf32 ? 'on' : 'off');
  const result = spawnSync(python, args, { encoding: 'utf8', env: pytorchEnv(threads) });
  if (result.error) return { skipped: `cannot run ${python} (${result.error.message}); set MNF_PYTHON to a Python with torch` };
  if (result.status !== 0) {
    const last = result.stderr.trim().split('\n').pop() ?? '';
    return { skipped: `${python} scripts/bench-step.py failed: ${last}` };
  }
  return JSON.parse(result.stdout.trim().split('\n').pop()!) as PytorchResult;
}

/** The same step on backend cuda (its device per MNF_CUDA_DEVICE), against native's ms/step of this run. */
async function measureCuda(config: RunConfig, batch: ClipBatch, steps: number, warmup: number, nativeMs: number | null, math: CudaMathMode, log: (line: string) => unknown) {
  const info = await initBackend('cuda', { math });
  const trainer = createTrainer(config);
  for (let i = 0; i < warmup; i++) await trainer.step(batch);
  const backend = tf.backend() as CudaBackend;
  stepMemoryStats(); // the per-step figures count from here
  const readsBefore = backend.stats().readSyncCalls;
  const times: number[] = [];
  const perStep: StepMemoryStats[] = [];
  for (let i = 0; i < steps; i++) {
    const start = performance.now();
    await trainer.step(batch);
    times.push(performance.now() - start);
    perStep.push(stepMemoryStats()!);
  }
  const stats = backend.stats();
  trainer.dispose();
  const mean = (f: (m: StepMemoryStats) => number) => perStep.reduce((a, m) => a + f(m), 0) / perStep.length;
  const msPerStep = times.reduce((a, b) => a + b, 0) / times.length;
  const result = {
    device: info.device,
    /** true on a CUDA GPU, false on the emulated device */
    gpu: info.cuda,
    math,
    ms_per_step: msPerStep,
    ms_min: Math.min(...times),
    ratio_vs_native: nativeMs === null ? null : msPerStep / nativeMs,
    fallbacks_per_step: mean((m) => m.fallbacks),
    fallback_kernels: Object.keys(stats.fallbacksByKernel).sort(),
    host_to_device_bytes_per_step: mean((m) => m.hostToDeviceBytes),
    device_to_host_bytes_per_step: mean((m) => m.deviceToHostBytes),
    read_sync_per_step: (stats.readSyncCalls - readsBefore) / steps,
    memory: perStep.at(-1)!,
  };
  log(
    `  cuda (${info.device}, ${math.precision}${math.tf32 ? '' : ', TF32 off'}): ${msPerStep.toFixed(0)} ms/step` +
      `${result.ratio_vs_native === null ? '' : ` → ${result.ratio_vs_native.toFixed(2)} × native`}; ` +
      `${result.fallbacks_per_step.toFixed(0)} host fallbacks, ${(result.host_to_device_bytes_per_step / 1e6).toFixed(1)} MB to and ` +
      `${(result.device_to_host_bytes_per_step / 1e6).toFixed(1)} MB from the device per step`,
  );
  return result;
}

/** The step on the native backend: ms per step and one profiled step's top kernels. */
async function measureNative(config: RunConfig, batch: ClipBatch, steps: number, warmup: number, log: (line: string) => unknown) {
  const info = await initBackend('native');
  const trainer = createTrainer(config);
  log(`bench step: preset ${config.preset}, batch ${config.batch}, ${config.clipLength}×${config.size}×${config.size}, backend native, ${info.threads} threads`);
  for (let i = 0; i < warmup; i++) await trainer.step(batch);
  const times: number[] = [];
  for (let i = 0; i < steps; i++) {
    const start = performance.now();
    await trainer.step(batch);
    times.push(performance.now() - start);
  }
  const msPerStep = times.reduce((a, b) => a + b, 0) / times.length;
  log(`  mnf-tui: ${msPerStep.toFixed(0)} ms/step (min ${Math.min(...times).toFixed(0)})`);
  const profile = await topKernels(() => void trainer.step(batch), 10);
  trainer.dispose();
  return { threads: info.threads, msPerStep, msMin: Math.min(...times), profile };
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    json: { type: 'boolean' },
    preset: { type: 'string' },
    steps: { type: 'string' },
    warmup: { type: 'string' },
    threads: { type: 'string' },
    'no-pytorch': { type: 'boolean' },
    'no-console': { type: 'boolean' },
    backend: { type: 'string' },
    precision: { type: 'string' },
    tf32: { type: 'string' },
    'no-native': { type: 'boolean' },
  });
  const against = choiceFlag(values.backend, '--backend', ['native', 'cuda'] as const) ?? 'native';
  const math = { ...DEFAULT_MATH_MODE, ...mathFlags(values) };
  checkPrecisionBackend(math.precision, against);
  const withNative = !values['no-native'];
  if (!withNative && against !== 'cuda') throw new UsageError('--no-native: needs --backend cuda (nothing else would be measured)');
  const { steps, warmup, preset, config } = stepBenchOptions(values);
  const threadsFlag = intFlag(values.threads, '--threads', 1);
  if (threadsFlag !== undefined) process.env.MNF_THREADS = String(threadsFlag);
  process.env.OMP_WAIT_POLICY ??= 'passive';
  const batch = randomBatch(config, config.seed);
  const log = (line: string) => values.json || process.stderr.write(line + '\n');
  const native = withNative ? await measureNative(config, batch, steps, warmup, log) : null;
  const threads = native?.threads ?? defaultThreads();
  const cuda = against === 'cuda' ? await measureCuda(config, batch, steps, warmup, native?.msPerStep ?? null, math, log) : null;
  if (cuda && native) await initBackend('native');
  // backend cuda on a GPU meets PyTorch on the same GPU; else PyTorch runs on the CPU beside native
  const pytorchDevice = cuda?.gpu ? 'cuda' : 'cpu';
  const ours = pytorchDevice === 'cuda' || !native ? { backend: 'cuda', ms: cuda!.ms_per_step } : { backend: 'native', ms: native.msPerStep };
  const baseline: PytorchResult = values['no-pytorch'] ? { skipped: '--no-pytorch' } : runPytorch(config, threads, steps, warmup, pytorchDevice, math);
  const pytorch = 'skipped' in baseline ? undefined : baseline;
  if (pytorch) {
    const blas = pytorch.blas.core ? `${pytorch.blas.name}, ${pytorch.blas.core}` : pytorch.blas.name;
    log(`  PyTorch ${String(pytorch.torch)} on ${pytorchDevice} (BLAS ${blas}): ${pytorch.ms_per_step.toFixed(0)} ms/step → ${ours.backend} ratio ${(ours.ms / pytorch.ms_per_step).toFixed(2)}`);
  } else process.stderr.write(`bench step: PyTorch baseline skipped: ${(baseline as { skipped: string }).skipped}\n`);
  let consoleOverhead: ConsoleOverhead | null = null;
  if (!values['no-console']) {
    consoleOverhead = await measureConsoleOverhead(config);
    log(`  console vs headless: ${consoleOverhead.console_clips_per_second.toFixed(2)} / ${consoleOverhead.headless_clips_per_second.toFixed(2)} clips/s → ${consoleOverhead.ratio.toFixed(3)}`);
  }
  const report = {
    bench: 'step',
    preset,
    backend: native ? 'native' : 'cuda',
    threads,
    math,
    omp_wait_policy: process.env.OMP_WAIT_POLICY ?? null,
    batch: config.batch,
    clip: [config.clipLength, config.size, config.size],
    steps,
    warmup,
    ms_per_step: native?.msPerStep ?? null,
    ms_min: native?.msMin ?? null,
    pytorch_ms_per_step: pytorch ? pytorch.ms_per_step : null,
    pytorch_device: pytorchDevice,
    /** ours / PyTorch's ms per step, ours being ratio_backend */
    ratio: pytorch ? ours.ms / pytorch.ms_per_step : null,
    ratio_backend: ours.backend,
    pytorch_blas: pytorch ? pytorch.blas.name : null,
    pytorch: pytorch ?? null,
    pytorch_skipped: pytorch ? null : (baseline as { skipped: string }).skipped,
    profile: native ? { kernel_ms: native.profile.totalMs, top_kernels: native.profile.kernels } : null,
    cuda,
    console_vs_headless: consoleOverhead ? consoleOverhead.ratio : null,
    console: consoleOverhead ?? { skipped: '--no-console' },
  };
  if (values.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  else for (const k of native?.profile.kernels ?? []) log(`  ${k.name.padEnd(28)} ${k.ms.toFixed(1).padStart(9)} ms ${String(k.calls).padStart(5)} calls ${(100 * k.share).toFixed(1)}%`);
  return 0;
}
