#!/usr/bin/env node
// Method-comparison harness: trains a grid of methods × teacher-noise levels × seeds on generated
// datasets (and on the semi-real dataset — synthetic videos with real CNN14 teacher features —
// when ../shared/data exists), each through the same headless `mnf-tui train` run, then writes
// docs/results.md (mean ± std over seeds). Resumable: datasets and runs that finished are reused.
//
//   node scripts/compare-methods.mjs [--methods ce,feat-kd,contrastive,csc,mnf-csc] [--noise 0,0.5]
//     [--seeds 1,2] [--epochs 3] [--preset tiny] [--width W] [--feature-dim D] [--batch N]
//     [--classes 4] [--videos-per-class 8] [--frames 8] [--size 32] [--semi-real auto|on|off]
//     [--backend native] [--precision fp32|bf16] [--work runs/compare] [--results docs/results.md] [--label TEXT]
import { existsSync, mkdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { cpus, platform, release } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { $ } from 'zx';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
$.cwd = root;
$.verbose = false;

const METHODS = ['ce', 'feat-kd', 'contrastive', 'csc', 'mnf-csc'];

function fail(message) {
  process.stderr.write(`compare-methods: ${message}\n`);
  process.exit(2);
}

let args;
try {
  args = parseArgs({
    options: {
      methods: { type: 'string', default: METHODS.join(',') },
      noise: { type: 'string', default: '0,0.5' },
      seeds: { type: 'string', default: '1,2' },
      epochs: { type: 'string', default: '3' },
      preset: { type: 'string', default: 'tiny' },
      width: { type: 'string' },
      'feature-dim': { type: 'string' },
      batch: { type: 'string' },
      classes: { type: 'string', default: '4' },
      'videos-per-class': { type: 'string', default: '8' },
      frames: { type: 'string', default: '8' },
      size: { type: 'string', default: '32' },
      'semi-real': { type: 'string', default: 'auto' },
      backend: { type: 'string', default: 'native' },
      precision: { type: 'string', default: 'fp32' },
      work: { type: 'string', default: 'runs/compare' },
      results: { type: 'string', default: 'docs/results.md' },
      label: { type: 'string' },
      cli: { type: 'string', default: 'auto' },
    },
    strict: true,
  }).values;
} catch (err) {
  fail(err.message.split('\n')[0]);
}

const list = (value, flag, parse) =>
  value.split(',').map((s) => {
    const v = parse(s.trim());
    if (v === undefined || Number.isNaN(v)) fail(`--${flag}: cannot read '${s}'`);
    return v;
  });
const int = (value, flag, min = 0) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) fail(`--${flag}: expected an integer >= ${min}, got '${value}'`);
  return n;
};

const methods = list(args.methods, 'methods', (s) => (METHODS.includes(s) ? s : undefined));
const noiseLevels = list(args.noise, 'noise', (s) => (Number(s) >= 0 && Number(s) <= 1 ? Number(s) : undefined));
const seeds = list(args.seeds, 'seeds', (s) => (Number.isInteger(Number(s)) && Number(s) >= 0 ? Number(s) : undefined));
const epochs = int(args.epochs, 'epochs', 1);
const dataOptions = {
  classes: int(args.classes, 'classes', 2),
  videosPerClass: int(args['videos-per-class'], 'videos-per-class', 2),
  frames: int(args.frames, 'frames', 1),
  size: int(args.size, 'size', 16),
};
const work = resolve(root, args.work);
const resultsPath = resolve(root, args.results);
const teacherArchive = resolve(root, '..', 'shared', 'data', 'ucf51', 'audio_cnn14_512.tar.gz');
if (!['auto', 'on', 'off'].includes(args['semi-real'])) fail(`--semi-real: expected auto, on or off, got '${args['semi-real']}'`);
const semiReal = args['semi-real'] === 'on' || (args['semi-real'] === 'auto' && existsSync(teacherArchive));
if (args['semi-real'] === 'on' && !existsSync(teacherArchive)) fail(`--semi-real on: ${teacherArchive} not found`);

// the CLI: compiled dist/ when asked (or when tsx is absent), else the TypeScript source through tsx
const useDist = args.cli === 'dist' || (args.cli === 'auto' && !existsSync(join(root, 'node_modules', 'tsx')));
const cli = useDist ? ['dist/src/cli.js'] : ['--import', 'tsx', 'src/cli.ts'];
if (useDist && !existsSync(join(root, 'dist', 'src', 'cli.js'))) fail('dist/src/cli.js not found: run `npm run build:ts`');

// model size: a config file layered over the preset
const model = {};
if (args.width !== undefined) model.width = Number(args.width);
if (args['feature-dim'] !== undefined) model.featureDim = int(args['feature-dim'], 'feature-dim', 1);
const overrides = { ...(Object.keys(model).length > 0 ? { model } : {}), ...(args.batch ? { batch: int(args.batch, 'batch', 1) } : {}) };

mkdirSync(work, { recursive: true });
const configFile = join(work, 'grid-config.json');
writeFileSync(configFile, JSON.stringify(overrides, null, 2) + '\n');

/** Datasets of the grid: one per noise level (synthetic), plus semi-real ones when available. */
function datasets() {
  const out = [];
  for (const noise of noiseLevels) {
    out.push({ kind: 'synthetic', noise, dir: join(work, 'data', `synthetic-noise-${noise}`) });
    if (semiReal) out.push({ kind: 'semi-real (CNN14 teacher)', noise, dir: join(work, 'data', `semireal-noise-${noise}`) });
  }
  return out;
}

async function ensureDataset(d) {
  if (existsSync(join(d.dir, 'annotation.json'))) return;
  const flags = [
    '--classes', dataOptions.classes, '--videos-per-class', dataOptions.videosPerClass, '--frames', dataOptions.frames,
    '--size', dataOptions.size, '--noise', d.noise, '--seed', 7,
    ...(d.kind.startsWith('semi-real') ? ['--teacher-features', teacherArchive] : []),
  ].map(String);
  const tmp = `${d.dir}.partial`;
  await $`rm -rf ${tmp}`;
  process.stderr.write(`dataset ${relative(root, d.dir)}\n`);
  await $`node ${cli} data make-synthetic --out ${tmp} ${flags}`;
  renameSync(tmp, d.dir);
}

function runDir(d, method, seed) {
  return join(work, 'runs', relative(join(work, 'data'), d.dir), method, `seed-${seed}`);
}

async function train(d, method, seed) {
  const out = runDir(d, method, seed);
  const resultsFile = join(out, 'results.json');
  if (existsSync(resultsFile)) {
    const done = JSON.parse(readFileSync(resultsFile, 'utf8'));
    // a run stopped early is trained again
    if (done.reason === 'completed' && done.epochs === epochs) return done;
  }
  const flags = ['--preset', args.preset, '--config', configFile, '--method', method, '--seed', seed, '--epochs', epochs, '--dataset', d.dir, '--backend', args.backend, '--precision', args.precision].map(String);
  process.stderr.write(`train ${relative(work, out)}\n`);
  await $`rm -rf ${out}`;
  mkdirSync(out, { recursive: true });
  const r = await $`node ${cli} train --headless ${flags} --out ${out} > ${join(out, 'stdout.jsonl')} 2> ${join(out, 'stderr.log')}`.nothrow();
  if (r.exitCode !== 0) {
    const log = readFileSync(join(out, 'stderr.log'), 'utf8').trim().split('\n').at(-1);
    fail(`run ${relative(root, out)} failed (exit ${r.exitCode}): ${log}`);
  }
  return JSON.parse(readFileSync(resultsFile, 'utf8'));
}

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const std = (xs) => (xs.length > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean(xs)) ** 2, 0) / (xs.length - 1)) : 0);
const pm = (xs) => (xs.length === 0 ? 'n/a' : `${(100 * mean(xs)).toFixed(1)} ± ${(100 * std(xs)).toFixed(1)}`);

const rows = [];
for (const d of datasets()) {
  await ensureDataset(d);
  for (const method of methods) {
    const runs = [];
    for (const seed of seeds) runs.push(await train(d, method, seed));
    rows.push({ dataset: d, method, runs });
  }
}

const first = rows[0].runs[0];
const k = first.retrieval?.seedMapAtK.k;
const valVideos = first.test.perClass.reduce((n, c) => n + c.total, 0);
const command = `node scripts/compare-methods.mjs ${process.argv.slice(2).join(' ')}`.trim();
const cpu = cpus();
const label =
  args.label ??
  (first.device.startsWith('CPU') ? 'CPU smoke run: a tiny model trained for a few epochs on a small generated dataset. It checks that every method trains through the same engine; it is not evidence about the methods.' : 'GPU run');
const lines = [
  '# Method comparison',
  '',
  `> **${label}**`,
  '',
  `Made by \`scripts/compare-methods.mjs\` on ${new Date().toISOString().slice(0, 10)}: ${methods.length} methods × ${noiseLevels.length} teacher-noise levels × ${seeds.length} seeds` +
    `${semiReal ? ' on the synthetic and the semi-real dataset' : ' on synthetic datasets'}, ${epochs} epochs each, preset \`${args.preset}\`` +
    `${Object.keys(overrides).length ? ` with ${JSON.stringify(overrides)}` : ''}.`,
  '',
  '```',
  command,
  '```',
  '',
  `- backend: ${first.backend} (precision ${args.precision}); device: ${first.device}; CPU: ${cpu.length} × ${cpu[0]?.model ?? 'unknown'} (${platform()} ${release()}); other work was running on the machine`,
  `- data: ${dataOptions.classes} classes × ${dataOptions.videosPerClass} videos, ${dataOptions.frames} frames of ${dataOptions.size} px (make-synthetic, seed 7); teacher noise = share of videos whose teacher feature is another class's sound or background` +
    (semiReal ? '; semi-real = generated videos whose teacher features are real CNN14 embeddings of UCF51 classes (drawn per class from the archive in ../shared/data)' : '') +
    '; each dataset is generated once per noise level (its videos differ between levels, so even `ce`, which ignores the teacher, scores differently)',
  '- top-1: video-level test on the validation videos (softmax averaged over non-overlapping windows); retrieval: validation videos query the training videos by cosine of mean window features',
  `- mAP@${k} (seed): AP normalised by the hits inside the top ${k}, queries without a hit skipped; mAP (standard): AP over all relevant items`,
  '- figures are mean ± std (sample std) over seeds, in %; wall time is per run, evaluation included',
  `- validation set: ${valVideos} videos, so one video is worth ${(100 / valVideos).toFixed(1)} points of top-1${valVideos < 100 ? ': differences between methods at this size are within noise' : ''}`,
  '',
  `| dataset | teacher noise | method | top-1 | mAP@${k} (seed) | mAP (standard) | hit@5 | train acc reached | epochs | wall s | reports |`,
  '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
];
const reportLink = (row, seed) => relative(dirname(resultsPath), join(runDir(row.dataset, row.method, seed), 'report', 'report.html'));
for (const row of rows) {
  const r = row.runs;
  lines.push(
    `| ${row.dataset.kind} | ${row.dataset.noise} | ${row.method} | ${pm(r.map((x) => x.test.top1))} | ${pm(r.map((x) => x.retrieval.seedMapAtK.value))} | ` +
      `${pm(r.map((x) => x.retrieval.map.value))} | ${pm(r.map((x) => x.retrieval.hitAt['5']))} | ${pm(r.map((x) => x.trainAccuracy ?? 0))} | ` +
      `${r[0].epochs} | ${mean(r.map((x) => x.wallSeconds)).toFixed(0)} | ${seeds.map((seed) => `[seed ${seed}](${reportLink(row, seed)})`).join(' · ')} |`,
  );
}
// each run's report (RUN/report/report.html) and the comparison figure, into the grid's folder
await $`node ${cli} report ${rows.flatMap((row) => seeds.map((seed) => runDir(row.dataset, row.method, seed)))} --out ${join(work, 'report')} --backend ${args.backend}`;
lines.push(
  '',
  `Reports: each row links its runs' \`report/report.html\` (\`mnf-tui report\`; \`${relative(root, work)}\` is not committed, so the links work on the machine that ran the grid); the comparison figure of the grid is \`${relative(root, join(work, 'report'))}/report.html\`.`,
);
const total = rows.reduce((a, row) => a + row.runs.reduce((b, x) => b + x.wallSeconds, 0), 0);
lines.push('', `Total training wall time of the grid: ${(total / 60).toFixed(1)} min (${rows.reduce((a, row) => a + row.runs.length, 0)} runs, one at a time). Run folders: \`${relative(root, work)}/runs\`.`, '');
mkdirSync(dirname(resultsPath), { recursive: true });
// sections other scripts write (between their start/end markers) are kept
const kept = existsSync(resultsPath) ? (readFileSync(resultsPath, 'utf8').match(/<!-- [\w-]+:start[\s\S]*?<!-- [\w-]+:end -->\n?/g) ?? []) : [];
writeFileSync(`${resultsPath}.tmp`, [...lines, ...kept].join('\n'));
renameSync(`${resultsPath}.tmp`, resultsPath);
process.stderr.write(`wrote ${relative(root, resultsPath)}\n`);
