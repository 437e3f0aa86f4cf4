// Kernel time shares of one student training step (forward + tf.variableGrads of a cross-entropy
// loss through R(2+1)D at preset bench-s) on a tfjs backend, from tf.profile().
//   npx tsx scripts/profile-step.ts [--backend native|cpu] [--preset bench-s] [--batch N] [--size S] [--json]
// --backend cpu is the "before" view (backend 'native' is the cpu backend plus the addon's kernels);
// it is ~1000× slower on convolutions, so give it a smaller --batch / --size.
import { parseArgs } from 'node:util';
import { initBackend, tf } from '../src/index.js';
import { resolveConfig } from '../src/config/presets.js';
import { R2Plus1D } from '../src/models/student.js';

const { values: flags } = parseArgs({
  options: {
    backend: { type: 'string', default: 'native' },
    preset: { type: 'string', default: 'bench-s' },
    batch: { type: 'string' },
    size: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});

const cfg = resolveConfig(flags.preset!);
const batch = flags.batch ? Number(flags.batch) : cfg.batch;
const size = flags.size ? Number(flags.size) : cfg.size;
await initBackend(flags.backend as 'native' | 'cpu');
const model = new R2Plus1D(cfg.model, cfg.seed);
const x = tf.randomUniform([batch, cfg.clipLength, size, size, 3], -1, 1, 'float32', 1) as tf.Tensor5D;
const labels = tf.oneHot(tf.tensor1d(Array.from({ length: batch }, (_, i) => i % cfg.model.numClasses), 'int32'), cfg.model.numClasses);

const step = () =>
  tf.tidy(() => {
    const { grads, value } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(labels, model.forward(x, true).logits) as tf.Scalar);
    return [value, ...Object.values(grads)];
  });

tf.dispose(step()); // warm-up: primitive creation, first-touch allocations
const t0 = performance.now();
const info = await tf.profile(() => step());
const wallMs = performance.now() - t0;

const byKernel = new Map<string, { ms: number; calls: number }>();
// customGrad's 'forward' wraps kernels that are listed on their own: count kernels only.
for (const k of info.kernels.filter((k) => tf.getKernel(k.name, tf.getBackend()))) {
  const e = byKernel.get(k.name) ?? { ms: 0, calls: 0 };
  e.ms += Number(k.kernelTimeMs);
  e.calls += 1;
  byKernel.set(k.name, e);
}
const totalMs = [...byKernel.values()].reduce((s, e) => s + e.ms, 0);
const rows = [...byKernel.entries()]
  .map(([kernel, e]) => ({ kernel, ms: +e.ms.toFixed(2), calls: e.calls, share: +(e.ms / totalMs).toFixed(4) }))
  .sort((a, b) => b.ms - a.ms);

const report = {
  backend: tf.getBackend(),
  preset: flags.preset,
  input: x.shape,
  threads: Number(process.env.MNF_THREADS ?? 0) || undefined,
  kernelMs: +totalMs.toFixed(1),
  profiledStepMs: +wallMs.toFixed(1),
  kernels: rows,
};
if (flags.json) {
  process.stdout.write(JSON.stringify(report, null, 2) + '\n');
} else {
  process.stdout.write(`${report.backend}, input [${x.shape}], kernels ${report.kernelMs} ms, step ${report.profiledStepMs} ms\n`);
  for (const r of rows.filter((r) => r.share >= 0.005)) {
    process.stdout.write(`${(100 * r.share).toFixed(1).padStart(6)}%  ${r.ms.toFixed(1).padStart(9)} ms  ${String(r.calls).padStart(4)}×  ${r.kernel}\n`);
  }
}
