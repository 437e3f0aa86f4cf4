#!/usr/bin/env node
// Runs every benchmark once (`mnf-tui bench kernels|csc|decode|step --json`), one after the
// other so they do not compete for cores, keeps each JSON under docs/bench/ and writes the
// summary table of docs/benchmarks.md. Each figure is a ratio against a baseline measured in
// the same run. Usage: node scripts/bench-all.mjs [--only kernels,step] [--threads N]
import { $, argv, fs, path } from 'zx';

$.verbose = false;
const root = path.join(path.dirname(new URL(import.meta.url).pathname), '..');
const cli = path.join(root, 'dist', 'src', 'cli.js');
const out = path.join(root, 'docs', 'bench');
const only = argv.only ? String(argv.only).split(',') : ['kernels', 'csc', 'decode', 'step'];
const threads = argv.threads ? ['--threads', String(argv.threads)] : [];
await fs.mkdir(out, { recursive: true });

const results = {};
for (const name of only) {
  process.stderr.write(`bench ${name}…\n`);
  const started = Date.now();
  // decode: 512 clips, so the Pillow pool's start-up weighs little in its rate
  const extra = name === 'kernels' || name === 'step' ? threads : name === 'decode' ? ['--clips', '512'] : [];
  const run = await $({ cwd: root, nothrow: true })`node ${cli} bench ${name} --json ${extra}`;
  if (run.exitCode !== 0) {
    process.stderr.write(`bench ${name} failed:\n${run.stderr}\n`);
    continue;
  }
  const report = JSON.parse(run.stdout);
  report.wall_seconds = (Date.now() - started) / 1000;
  await fs.writeFile(path.join(out, `${name}.json`), JSON.stringify(report, null, 2) + '\n');
  results[name] = report;
}

const cpu = (await $`sh -c "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"`).stdout.trim();
const fmt = (x, digits = 2) => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(digits) : '—');
const rows = [];
if (results.kernels) rows.push(['kernels', 'native / PyTorch CPU, forward+backward of every conv and matmul shape of the bench-s step (lower is better; target ≤ 1.25)', fmt(results.kernels.ratio)]);
if (results.csc) rows.push(['csc', 'composed tfjs ops / fused addon call at B = 256, D = 512 (target ≥ 5)', fmt(results.csc.cpu_speedup_b256, 1)]);
if (results.decode) {
  rows.push(['decode', 'train-transform clips/s vs libjpeg-turbo decode-only of the same frames (target ≥ 0.8)', fmt(results.decode.ratio_vs_decode_only)]);
  rows.push(['decode', 'train-transform clips/s vs a Pillow + numpy pipeline like the seed’s (target ≥ 3)', fmt(results.decode.ratio_vs_pillow)]);
}
if (results.step) {
  rows.push(['step', `one full training step at bench-s, ours / PyTorch CPU (lower is better; target ≤ 1.25): ${fmt(results.step.ms_per_step, 0)} ms vs ${fmt(results.step.pytorch_ms_per_step, 0)} ms`, fmt(results.step.ratio)]);
  rows.push(['step', 'training throughput with the console rendering / headless (target ≥ 0.95)', fmt(results.step.console_vs_headless, 3)]);
}
const table = ['| bench | what | ratio |', '| --- | --- | --- |', ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
const doc = `# Benchmarks

Made by \`node scripts/bench-all.mjs\` on ${new Date().toISOString().slice(0, 10)}, CPU: ${cpu}, ${results.step?.threads ?? results.kernels?.threads ?? '?'} threads, PyTorch from Debian's python3-torch. Every ratio compares against a baseline measured in the same run; the full reports (per shape, per batch size, top kernels) are the JSON files in [bench/](bench/).

${table}
`;
await fs.writeFile(path.join(root, 'docs', 'benchmarks.md'), doc);
process.stdout.write(doc);
