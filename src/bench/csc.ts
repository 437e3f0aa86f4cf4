// mnf-tui bench csc [--json] [--batches 32,256,1024] [--dim 512] [--repeats 15] [--classes 51]
// Forward+backward of the CSC loss (tf.grads with respect to v and z): the fused addon op vs the
// same loss composed of tfjs ops, both on backend 'native', medians. With a CUDA device, the CUDA
// path (one addon call from JavaScript, copies included) at B ∈ {32, 256, 1024, 4096} against the
// fused CPU path measured in the same run and against PyTorch eager's published H200 figures.
import { performance } from 'node:perf_hooks';
import { initBackend } from '../backend/select.js';
import { intFlag, parseFlags, UsageError } from '../commands/args.js';
import { cscLoss } from '../losses/csc.js';
import { cscLossComposed, type CscOptions } from '../losses/csc-composed.js';
import { cscLossGrad, type CscArrays } from '../native/csc.js';
import { deviceInfo } from '../native/device.js';
import { tf } from '../tf.js';

const THETA = 0.07;
const GPU_BATCHES = [32, 256, 1024, 4096];
/** PyTorch eager forward+backward on an H200 (issue 3), milliseconds: not measured by this run. */
const TORCH_H200_MS = (batch: number) => (batch <= 1024 ? 1.63 : 2.45);
/** Stop repeating a case after this much time, once MIN_REPEATS ran. */
const CASE_BUDGET_MS = 4000;
const MIN_REPEATS = 3;

interface CpuRow {
  batch: number;
  fused_ms: number;
  composed_ms: number;
  /** composed / fused */
  speedup: number;
  repeats: { fused: number; composed: number };
}

interface GpuRow {
  batch: number;
  cuda_ms: number;
  cpu_fused_ms: number;
  /** CPU fused / CUDA, both measured in this run */
  speedup_vs_cpu: number;
  torch_h200_reference_ms: number;
  /** published PyTorch eager figure / CUDA (a reference, not measured here) */
  speedup_vs_torch_reference: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Median wall time of fn in ms after one warm-up call. */
function timeIt(fn: () => void, maxRepeats: number): { ms: number; repeats: number } {
  fn();
  const times: number[] = [];
  let spent = 0;
  while (times.length < maxRepeats && (times.length < MIN_REPEATS || spent < CASE_BUDGET_MS)) {
    const start = performance.now();
    fn();
    const elapsed = performance.now() - start;
    times.push(elapsed);
    spent += elapsed;
  }
  return { ms: median(times), repeats: times.length };
}

function hostInputs(batch: number, dim: number, classes: number): CscArrays {
  let state = 0x9e3779b9 ^ batch;
  const next = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
  const fill = (signed: boolean) => Float32Array.from({ length: batch * dim }, () => (signed ? next() * 2 - 1 : next()));
  const labels = Int32Array.from({ length: batch }, () => Math.floor(next() * classes));
  return { v: fill(false), z: fill(true), aSel: fill(false), labels, batch, dim, theta: THETA, calibrated: true };
}

type Loss = typeof cscLoss;

function forwardBackward(loss: Loss, args: CscArrays): () => void {
  const v = tf.tensor2d(args.v, [args.batch, args.dim]);
  const z = tf.tensor2d(args.z, [args.batch, args.dim]);
  const a = tf.tensor2d(args.aSel, [args.batch, args.dim]);
  const y = tf.tensor1d(args.labels, 'int32');
  const opts: CscOptions = { theta: args.theta, calibrated: args.calibrated };
  return () =>
    tf.tidy(() => {
      const { value, grads } = tf.valueAndGrads((vv: tf.Tensor, zz: tf.Tensor) =>
        loss(vv as tf.Tensor2D, zz as tf.Tensor2D, a, y, opts),
      )([v, z]);
      value.dataSync();
      grads.forEach((g) => g.dataSync());
    });
}

function parseBatches(text: string | undefined): number[] {
  if (text === undefined) return [32, 256, 1024];
  const batches = text.split(',').map((part) => intFlag(part.trim(), '--batches', 1)!);
  if (batches.length === 0) throw new UsageError(`--batches: expected a comma-separated list of integers, got '${text}'`);
  return batches;
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    json: { type: 'boolean', default: false },
    batches: { type: 'string' },
    dim: { type: 'string' },
    repeats: { type: 'string' },
    classes: { type: 'string' },
  });
  const batches = parseBatches(values.batches);
  const dim = intFlag(values.dim, '--dim', 1) ?? 512;
  const maxRepeats = intFlag(values.repeats, '--repeats', 1) ?? 15;
  const classes = intFlag(values.classes, '--classes', 1) ?? 51;
  const log = (line: string) => {
    if (!values.json) process.stdout.write(line + '\n');
  };

  const backend = await initBackend('native');
  log(`bench csc: forward+backward, D=${dim}, θ=${THETA}, ${classes} classes, backend native (${backend.threads} threads)`);
  const cpu: CpuRow[] = [];
  for (const batch of batches) {
    const args = hostInputs(batch, dim, classes);
    const fused = timeIt(forwardBackward(cscLoss, args), maxRepeats);
    const composed = timeIt(forwardBackward(cscLossComposed, args), maxRepeats);
    const row = {
      batch,
      fused_ms: fused.ms,
      composed_ms: composed.ms,
      speedup: composed.ms / fused.ms,
      repeats: { fused: fused.repeats, composed: composed.repeats },
    };
    cpu.push(row);
    log(`  B=${batch}: fused ${row.fused_ms.toFixed(3)} ms, composed tfjs ops ${row.composed_ms.toFixed(3)} ms → ${row.speedup.toFixed(2)}×`);
  }
  const at256 = cpu.find((row) => row.batch === 256);

  const info = deviceInfo();
  let gpu: GpuRow[] | { skipped: string };
  if (info.devices.length === 0) {
    gpu = { skipped: info.cudaReason || 'no CUDA device' };
    log(`  CUDA: skipped: ${gpu.skipped}`);
  } else {
    const rows: GpuRow[] = [];
    for (const batch of GPU_BATCHES) {
      const args = hostInputs(batch, dim, classes);
      const cuda = timeIt(() => cscLossGrad(args, 'cuda'), Math.max(maxRepeats, 50));
      const host = timeIt(() => cscLossGrad(args, 'cpu'), maxRepeats);
      const reference = TORCH_H200_MS(batch);
      rows.push({
        batch,
        cuda_ms: cuda.ms,
        cpu_fused_ms: host.ms,
        speedup_vs_cpu: host.ms / cuda.ms,
        torch_h200_reference_ms: reference,
        speedup_vs_torch_reference: reference / cuda.ms,
      });
      log(
        `  CUDA B=${batch}: ${cuda.ms.toFixed(3)} ms (CPU fused ${host.ms.toFixed(3)} ms, ${(host.ms / cuda.ms).toFixed(1)}×; ` +
          `PyTorch H200 reference ${reference} ms, ${(reference / cuda.ms).toFixed(1)}×)`,
      );
    }
    gpu = rows;
  }

  if (values.json) {
    const doc = {
      bench: 'csc',
      backend: backend.name,
      threads: backend.threads,
      dim,
      theta: THETA,
      classes,
      pass: 'forward+backward',
      cpu,
      cpu_speedup_b256: at256 ? at256.speedup : null,
      gpu,
      gpu_device: info.devices[0]?.name ?? null,
    };
    process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
  }
  return 0;
}
