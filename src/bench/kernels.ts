// mnf-tui bench kernels [--json] [--threads 2] [--repeats 7] [--preset bench-s] [--no-cpu]
// Forward+backward of every convolution and matmul shape of one student training step (recorded
// from src/models/student.ts's R2Plus1D, forward + gradients of a cross-entropy loss, at the
// preset's sizes) on backend 'native', against PyTorch CPU on the same shapes in the same run
// (scripts/bench-kernels.py under /usr/bin/python3, the BLAS it calls named in pytorch_blas), and
// tfjs's 'cpu' backend on reduced shapes.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { initBackend } from '../backend/select.js';
import { recordKernelCalls, type ConvCall, type MatMulCall, type TfjsPad } from '../backend/native/kernels/recorder.js';
import { choiceFlag, intFlag, parseFlags } from '../commands/args.js';
import { PRESET_NAMES, resolveConfig } from '../config/presets.js';
import { packageRoot } from '../native/addon.js';
import { setThreads } from '../native/device.js';
import { R2Plus1D } from '../models/student.js';
import { tf } from '../tf.js';
import { pytorchEnv } from './pytorch-env.js';

const PYTHON = '/usr/bin/python3';
/** tfjs's cpu kernels are ~1000× slower: their shapes are cut by these factors (said in the output). */
const CPU_BATCH_DIVISOR = 8;
const CPU_CHANNEL_DIVISOR = 4;

interface ConvProblem {
  kind: 'conv';
  /** e.g. conv2d (1,7,7)/s(1,2,2) as tfjs runs it */
  label: string;
  x: number[];
  filter: number[];
  y: number[];
  strides: number[];
  dilations: number[];
  padBefore: number[];
  padAfter: number[];
  pad: TfjsPad;
  inputGrad: boolean;
  filterGrad: boolean;
  /** times this problem occurs in one training step */
  calls: number;
}

interface MatMulProblem {
  kind: 'matmul';
  label: string;
  a: number[];
  b: number[];
  transposeA: boolean;
  transposeB: boolean;
  calls: number;
}

type Problem = ConvProblem | MatMulProblem;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

interface Timing {
  median: number;
  min: number;
}

function timeMs(fn: () => void, warmup: number, repeats: number): Timing {
  for (let i = 0; i < warmup; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  return { median: median(times), min: Math.min(...times) };
}

const FORWARD = new Set(['Conv2D', 'Conv3D']);
const INPUT_GRAD = new Set(['Conv2DBackpropInput', 'Conv3DBackpropInputV2']);

/** The conv and matmul calls of one forward + backward of the student, grouped into problems. */
function recordStep(presetName: string): { problems: Problem[]; input: number[] } {
  const cfg = resolveConfig(presetName);
  const model = new R2Plus1D(cfg.model, cfg.seed);
  const input: [number, number, number, number, number] = [cfg.batch, cfg.clipLength, cfg.size, cfg.size, 3];
  const convs = new Map<string, ConvProblem>();
  const matmuls = new Map<string, MatMulProblem>();
  const geometryKey = (c: ConvCall) => JSON.stringify([c.xShape, c.filterShape, c.strides, c.dilations, c.padBefore, c.padAfter]);
  const stop = recordKernelCalls((call) => {
    if (call.kind === 'conv') {
      const key = geometryKey(call);
      let p = convs.get(key);
      if (!p) {
        const k = call.filterShape.slice(0, -2);
        p = {
          kind: 'conv',
          label: `${k.length === 2 ? 'conv2d' : 'conv3d'} k(${k}) s(${call.strides})`,
          x: call.xShape,
          filter: call.filterShape,
          y: call.yShape,
          strides: call.strides,
          dilations: call.dilations,
          padBefore: call.padBefore,
          padAfter: call.padAfter,
          pad: call.pad,
          inputGrad: false,
          filterGrad: false,
          calls: 0,
        };
        convs.set(key, p);
      }
      if (FORWARD.has(call.kernel)) p.calls++;
      else if (INPUT_GRAD.has(call.kernel)) p.inputGrad = true;
      else p.filterGrad = true;
    } else if (call.kind === 'matmul') {
      const m = call as MatMulCall;
      const key = JSON.stringify([m.aShape, m.bShape, m.transposeA, m.transposeB]);
      const p = matmuls.get(key) ?? { kind: 'matmul', label: `matmul${m.transposeA ? ' Aᵀ' : ''}${m.transposeB ? ' Bᵀ' : ''}`, a: m.aShape, b: m.bShape, transposeA: m.transposeA, transposeB: m.transposeB, calls: 0 };
      p.calls++;
      matmuls.set(key, p);
    }
  });
  try {
    tf.tidy(() => {
      const x = tf.randomUniform(input, -1, 1, 'float32', 1) as tf.Tensor5D;
      const labels = tf.oneHot(tf.tensor1d(Array.from({ length: cfg.batch }, (_, i) => i % cfg.model.numClasses), 'int32'), cfg.model.numClasses);
      tf.variableGrads(() => tf.losses.softmaxCrossEntropy(labels, model.forward(x, true).logits) as tf.Scalar);
    });
  } finally {
    stop();
    model.dispose();
  }
  return { problems: [...convs.values(), ...matmuls.values()], input };
}

function is3D(p: ConvProblem): boolean {
  return p.x.length === 5;
}

/** The problem's three kernels (forward, dx when needed, dFilter) through the current tfjs backend. */
function convStep(p: ConvProblem): () => void {
  const x = tf.randomUniform(p.x, -1, 1, 'float32', 2);
  const filter = tf.randomUniform(p.filter, -1, 1, 'float32', 3);
  const dy = tf.randomUniform(p.y, -1, 1, 'float32', 4);
  const engine = tf.engine();
  const run = (name: string, inputs: Record<string, tf.Tensor>, attrs: Record<string, unknown>) =>
    (engine.runKernel(name, inputs, attrs as never) as tf.Tensor).dispose();
  return () => {
    if (is3D(p)) {
      const common = { strides: p.strides, pad: p.pad };
      run('Conv3D', { x, filter }, { ...common, dilations: p.dilations, dataFormat: 'NDHWC' });
      if (p.inputGrad) run('Conv3DBackpropInputV2', { dy, filter }, { ...common, inputShape: p.x });
      if (p.filterGrad) run('Conv3DBackpropFilterV2', { x, dy }, { ...common, filterShape: p.filter });
    } else {
      const common = { strides: p.strides, pad: p.pad, dataFormat: 'NHWC' };
      run('Conv2D', { x, filter }, { ...common, dilations: p.dilations });
      if (p.inputGrad) run('Conv2DBackpropInput', { dy, filter }, { ...common, inputShape: p.x });
      if (p.filterGrad) run('Conv2DBackpropFilter', { x, dy }, { ...common, filterShape: p.filter });
    }
  };
}

function matMulStep(p: MatMulProblem): () => void {
  const a = tf.randomUniform(p.a, -1, 1, 'float32', 5);
  const b = tf.randomUniform(p.b, -1, 1, 'float32', 6);
  return () => tf.matMul(a, b, p.transposeA, p.transposeB).dispose();
}

function timeProblem(p: Problem, warmup: number, repeats: number): Timing {
  tf.engine().startScope();
  try {
    return timeMs(p.kind === 'conv' ? convStep(p) : matMulStep(p), warmup, repeats);
  } finally {
    tf.engine().endScope();
  }
}

/** The same problem with fewer images and channels, for tfjs's slow cpu kernels. */
function reduce(p: Problem): Problem {
  const cut = (c: number) => Math.max(1, Math.ceil(c / CPU_CHANNEL_DIVISOR));
  const batch = (n: number) => Math.max(1, Math.ceil(n / CPU_BATCH_DIVISOR));
  if (p.kind === 'matmul') return p;
  const r = p.filter.length;
  const filter = [...p.filter.slice(0, r - 2), cut(p.filter[r - 2]!), cut(p.filter[r - 1]!)];
  return {
    ...p,
    x: [batch(p.x[0]!), ...p.x.slice(1, -1), filter[r - 2]!],
    y: [batch(p.y[0]!), ...p.y.slice(1, -1), filter[r - 1]!],
    filter,
  };
}

interface TorchResult {
  ms?: number[];
  min_ms?: number[];
  torch?: string;
  mkldnn?: boolean;
  /** scripts/bench-blas.py: name is e.g. "openblas-pthread 0.3.21" or "reference" */
  blas?: { name: string; [key: string]: unknown };
  skipped?: string;
}

function runTorch(problems: Problem[], threads: number, warmup: number, repeats: number): TorchResult {
  const script = join(packageRoot(), 'scripts', 'bench-kernels.py');
  if (!existsSync(PYTHON)) return { skipped: `${PYTHON} not found (PyTorch baseline needs Debian's python3-torch)` };
  if (!existsSync(script)) return { skipped: `${script} not found` };
  const request = { threads, warmup, repeats, problems };
  const r = spawnSync(PYTHON, [script], { input: JSON.stringify(request), encoding: 'utf8', maxBuffer: 1 << 24, env: pytorchEnv(threads) });
  if (r.status !== 0) {
    const why = (r.stderr || r.error?.message || '').trim().split('\n').pop() ?? 'unknown error';
    return { skipped: /No module named 'torch'/.test(r.stderr ?? '') ? `python3-torch is not installed (${why})` : `${script} failed: ${why}` };
  }
  return JSON.parse(r.stdout) as TorchResult;
}

const round = (v: number, digits = 3) => Number(v.toFixed(digits));

function describe(p: Problem) {
  return p.kind === 'conv'
    ? { kind: p.kind, label: p.label, x: p.x, filter: p.filter, y: p.y, strides: p.strides, pad_before: p.padBefore, pad_after: p.padAfter, input_grad: p.inputGrad, filter_grad: p.filterGrad, calls: p.calls }
    : { kind: p.kind, label: p.label, a: p.a, b: p.b, transpose_a: p.transposeA, transpose_b: p.transposeB, calls: p.calls };
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    json: { type: 'boolean', default: false },
    threads: { type: 'string' },
    repeats: { type: 'string' },
    preset: { type: 'string' },
    'no-cpu': { type: 'boolean', default: false },
  });
  const threads = intFlag(values.threads, '--threads', 1) ?? 2;
  const repeats = intFlag(values.repeats, '--repeats', 1) ?? 7;
  const preset = choiceFlag(values.preset, '--preset', PRESET_NAMES) ?? 'bench-s';
  const warmup = 2;
  const log = (line: string) => process.stderr.write(line + '\n');

  const loadBefore = loadavg()[0]!;
  await initBackend('native');
  setThreads(threads);
  log(`bench kernels: recording one training step of R2Plus1D at preset ${preset}`);
  const { problems, input } = recordStep(preset);

  log(`bench kernels: native, ${problems.length} shapes, ${threads} threads`);
  const nativeTimes = problems.map((p) => timeProblem(p, warmup, repeats));
  const nativeMs = nativeTimes.map((t) => t.median);

  log(`bench kernels: PyTorch (${PYTHON} scripts/bench-kernels.py)`);
  const torch = runTorch(problems, threads, warmup, repeats);
  if (torch.blas) log(`bench kernels: PyTorch calls BLAS ${torch.blas.name}`);

  let cpuBackend: Record<string, unknown> = { skipped: '--no-cpu' };
  if (!values['no-cpu']) {
    log(`bench kernels: tfjs cpu backend on reduced shapes (batch ÷${CPU_BATCH_DIVISOR}, channels ÷${CPU_CHANNEL_DIVISOR})`);
    const reduced = problems.map(reduce);
    const nativeReduced = reduced.map((p) => timeProblem(p, 1, 3).median);
    await initBackend('cpu');
    const cpuReduced = reduced.map((p) => timeProblem(p, 0, 1).median);
    await initBackend('native');
    setThreads(threads);
    const total = (ms: number[]) => ms.reduce((s, v, i) => s + v * problems[i]!.calls, 0);
    cpuBackend = {
      reduced: `same layers with batch ÷${CPU_BATCH_DIVISOR} and channels ÷${CPU_CHANNEL_DIVISOR} (rounded up): tfjs's cpu kernels are too slow for the full shapes`,
      ratio: round(total(cpuReduced) / total(nativeReduced), 1),
      ratio_means: 'cpu backend total time / native total time on the reduced shapes',
      shapes: reduced.map((p, i) => ({ ...describe(p), native_ms: round(nativeReduced[i]!), cpu_ms: round(cpuReduced[i]!), ratio: round(cpuReduced[i]! / nativeReduced[i]!, 1) })),
    };
  }

  const weighted = (ms: number[]) => ms.reduce((s, v, i) => s + v * problems[i]!.calls, 0);
  const nativeTotal = weighted(nativeMs);
  const torchTotal = torch.ms ? weighted(torch.ms) : undefined;
  const nativeMinTotal = weighted(nativeTimes.map((t) => t.min));
  const torchMinTotal = torch.min_ms ? weighted(torch.min_ms) : undefined;
  const report = {
    bench: 'kernels',
    ratio: torchTotal ? round(nativeTotal / torchTotal) : null,
    ratio_means: 'native total / PyTorch total, each shape weighted by its calls per training step (target ≤ 1.25 with 2 threads)',
    ratio_of_fastest: torchMinTotal ? round(nativeMinTotal / torchMinTotal) : null,
    ratio_of_fastest_means: 'the same with each side\'s fastest repeat instead of the median (less sensitive to other processes)',
    threads,
    repeats,
    warmup,
    preset,
    input,
    shapes_from: 'src/models/student.ts R2Plus1D: one forward + tf.variableGrads of a cross-entropy loss on backend native, conv/matmul calls recorded',
    timing: 'median ms of forward + input grad (when the step computes it) + filter grad per conv; forward per matmul call',
    native_total_ms: round(nativeTotal, 2),
    pytorch_total_ms: torchTotal === undefined ? null : round(torchTotal, 2),
    pytorch_blas: torch.blas?.name ?? null,
    pytorch: torch.skipped ? { skipped: torch.skipped } : { version: torch.torch, mkldnn: torch.mkldnn, blas: torch.blas ?? null, layout: 'NCHW / NCDHW, autograd forward + backward(dy)' },
    shapes: problems.map((p, i) => ({
      ...describe(p),
      native_ms: round(nativeMs[i]!),
      pytorch_ms: torch.ms ? round(torch.ms[i]!) : null,
      ratio: torch.ms ? round(nativeMs[i]! / torch.ms[i]!) : null,
      native_min_ms: round(nativeTimes[i]!.min),
      pytorch_min_ms: torch.min_ms ? round(torch.min_ms[i]!) : null,
    })),
    cpu_backend: cpuBackend,
    load_average_1min: { before: round(loadBefore, 2), after: round(loadavg()[0]!, 2) },
    note: 'wall-clock times: with other processes on the cores (load average above the thread count) the threaded runs of both sides wait on the scheduler and the figures are noise',
  };

  if (values.json) {
    process.stdout.write(JSON.stringify(report, null, 2) + '\n');
    return 0;
  }
  const lines = [`bench kernels (${preset}, input [${input}], ${threads} threads, median of ${repeats})`];
  lines.push('shape'.padEnd(44) + 'calls'.padStart(6) + 'native ms'.padStart(12) + 'torch ms'.padStart(12) + 'ratio'.padStart(8));
  report.shapes.forEach((s) => {
    const name = 'x' in s ? `${s.label} [${s.x}]` : `${s.label} [${s.a}]·[${s.b}]`;
    lines.push(name.padEnd(44).slice(0, 44) + String(s.calls).padStart(6) + s.native_ms.toFixed(2).padStart(12) + (s.pytorch_ms?.toFixed(2) ?? '-').padStart(12) + (s.ratio?.toFixed(2) ?? '-').padStart(8));
  });
  lines.push(`total: native ${report.native_total_ms} ms, PyTorch ${report.pytorch_total_ms ?? '-'} ms, ratio ${report.ratio ?? `- (PyTorch skipped: ${torch.skipped})`}` +
    (report.ratio_of_fastest ? ` (fastest repeats: ${report.ratio_of_fastest})` : ''));
  if ('ratio' in cpuBackend) lines.push(`tfjs cpu backend on reduced shapes: ${cpuBackend.ratio}× the native time`);
  process.stdout.write(lines.join('\n') + '\n');
  return 0;
}
