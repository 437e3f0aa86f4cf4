#!/usr/bin/env node
// Does the MNF gate tell irrelevant teacher features from clean ones? Trains `mnf-csc` on one
// generated dataset with teacher noise (its teacher_truth.json says which videos carry an
// irrelevant feature), one headless `mnf-tui train` per seed, then reads each run's events.jsonl:
// train accuracy per epoch (and the epoch at which it saturates), and the gate's
// clean-vs-irrelevant AUC per epoch on training batches and on validation clips
// (docs/teacher-truth.md defines the score). Writes a summary JSON and the section of
// docs/results.md between its markers. Run folders stay under --work (not committed).
//
//   node scripts/gate-auc.mjs [--seeds 1,2,3] [--epochs 60] [--noise 0.5] [--preset tiny]
//     [--classes 4] [--videos-per-class 16] [--frames 8] [--size 32] [--saturation 0.98]
//     [--backend native] [--work runs/gate-auc] [--summary docs/bench/gate-auc/summary.json]
//     [--results docs/results.md] [--cli auto|dist|tsx]
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { cpus, platform, release } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { $ } from 'zx';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
$.cwd = root;
$.verbose = false;

function fail(message) {
  process.stderr.write(`gate-auc: ${message}\n`);
  process.exit(2);
}

let args;
try {
  args = parseArgs({
    options: {
      seeds: { type: 'string', default: '1,2,3' },
      epochs: { type: 'string', default: '60' },
      noise: { type: 'string', default: '0.5' },
      preset: { type: 'string', default: 'tiny' },
      classes: { type: 'string', default: '4' },
      'videos-per-class': { type: 'string', default: '16' },
      frames: { type: 'string', default: '8' },
      size: { type: 'string', default: '32' },
      saturation: { type: 'string', default: '0.98' },
      backend: { type: 'string', default: 'native' },
      work: { type: 'string', default: 'runs/gate-auc' },
      summary: { type: 'string', default: 'docs/bench/gate-auc/summary.json' },
      results: { type: 'string', default: 'docs/results.md' },
      cli: { type: 'string', default: 'auto' },
    },
    strict: true,
  }).values;
} catch (err) {
  fail(err.message.split('\n')[0]);
}

const int = (value, flag, min) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) fail(`--${flag}: expected an integer >= ${min}, got '${value}'`);
  return n;
};
const share = (value, flag) => {
  const n = Number(value);
  if (!(n >= 0 && n <= 1)) fail(`--${flag}: expected a number in [0, 1], got '${value}'`);
  return n;
};
const seeds = args.seeds.split(',').map((s) => int(s.trim(), 'seeds', 0));
const epochs = int(args.epochs, 'epochs', 1);
const noise = share(args.noise, 'noise');
const saturation = share(args.saturation, 'saturation');
const data = {
  classes: int(args.classes, 'classes', 2),
  videosPerClass: int(args['videos-per-class'], 'videos-per-class', 2),
  frames: int(args.frames, 'frames', 1),
  size: int(args.size, 'size', 16),
};
const work = resolve(root, args.work);
const summaryPath = resolve(root, args.summary);
const resultsPath = resolve(root, args.results);

const useDist = args.cli === 'dist' || (args.cli === 'auto' && !existsSync(join(root, 'node_modules', 'tsx')));
const cli = useDist ? ['dist/src/cli.js'] : ['--import', 'tsx', 'src/cli.ts'];
if (useDist && !existsSync(join(root, 'dist', 'src', 'cli.js'))) fail('dist/src/cli.js not found: run `npm run build:ts`');

const dataset = join(work, 'data', `synthetic-noise-${noise}`);
if (!existsSync(join(dataset, 'teacher_truth.json'))) {
  const tmp = `${dataset}.partial`;
  await $`rm -rf ${tmp}`;
  mkdirSync(dirname(tmp), { recursive: true });
  process.stderr.write(`dataset ${relative(root, dataset)}\n`);
  const flags = ['--classes', data.classes, '--videos-per-class', data.videosPerClass, '--frames', data.frames, '--size', data.size, '--noise', noise, '--seed', 7].map(String);
  await $`node ${cli} data make-synthetic --out ${tmp} ${flags}`;
  await $`rm -rf ${dataset}`;
  renameSync(tmp, dataset);
}
const truth = JSON.parse(readFileSync(join(dataset, 'teacher_truth.json'), 'utf8'));
const annotation = JSON.parse(readFileSync(join(dataset, 'annotation.json'), 'utf8'));
const groupCounts = (subset) => {
  const ids = Object.entries(annotation.database).filter(([, v]) => v.subset === subset).map(([id]) => id);
  const clean = ids.filter((id) => truth.videos[id].source === 'own').length;
  return { clean, irrelevant: ids.length - clean };
};

/**
 * Where train accuracy levels off: the level is its mean over the last 10 epochs; the plateau
 * starts at the first epoch whose trailing 5-epoch mean comes within 3 points of that level.
 */
function plateau(accuracy) {
  const level = accuracy.slice(-10).reduce((a, b) => a + b, 0) / Math.min(10, accuracy.length);
  const trailing = (i) => {
    const window = accuracy.slice(Math.max(0, i - 4), i + 1);
    return window.reduce((a, b) => a + b, 0) / window.length;
  };
  const start = accuracy.findIndex((_, i) => trailing(i) >= level - 0.03);
  return { plateauLevel: Math.round(level * 1e4) / 1e4, plateauFrom: start + 1 };
}

/** One seed's run: trained once, reused while its results.json says it completed these epochs. */
async function train(seed) {
  const out = join(work, 'runs', `seed-${seed}`);
  const resultsFile = join(out, 'results.json');
  const done = existsSync(resultsFile) ? JSON.parse(readFileSync(resultsFile, 'utf8')) : null;
  if (!(done?.reason === 'completed' && done.epochs === epochs)) {
    process.stderr.write(`train ${relative(root, out)} (${epochs} epochs)\n`);
    await $`rm -rf ${out}`;
    mkdirSync(out, { recursive: true });
    const flags = ['--preset', args.preset, '--method', 'mnf-csc', '--seed', seed, '--epochs', epochs, '--dataset', dataset, '--backend', args.backend].map(String);
    const r = await $`node ${cli} train --headless ${flags} --out ${out} > ${join(out, 'stdout.jsonl')} 2> ${join(out, 'stderr.log')}`.nothrow();
    if (r.exitCode !== 0) fail(`run ${relative(root, out)} failed (exit ${r.exitCode}): ${readFileSync(join(out, 'stderr.log'), 'utf8').trim().split('\n').at(-1)}`);
  }
  const events = readFileSync(join(out, 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const results = JSON.parse(readFileSync(resultsFile, 'utf8'));
  const byEpoch = new Map();
  const at = (epoch) => byEpoch.get(epoch) ?? byEpoch.set(epoch, { epoch }).get(epoch);
  for (const e of events) {
    if (e.type === 'epoch') at(e.epoch).trainAccuracy = e.trainAccuracy;
    if (e.type === 'eval' && e.level === 'clip') at(e.epoch).validationTop1 = e.top1;
    if (e.type === 'gate') {
      const t = e.byTeacher;
      const r4 = (x) => (x === null ? null : Math.round(x * 1e4) / 1e4);
      at(e.epoch)[e.split] = {
        auc: r4(t.auc), cleanMean: r4(t.clean.mean), irrelevantMean: r4(t.irrelevant.mean),
        cleanScore: r4(t.clean.score), irrelevantScore: r4(t.irrelevant.score), clean: t.clean.count, irrelevant: t.irrelevant.count,
      };
    }
  }
  const perEpoch = [...byEpoch.values()].filter((r) => r.trainAccuracy !== undefined).sort((a, b) => a.epoch - b.epoch);
  const saturated = perEpoch.find((r) => r.trainAccuracy >= saturation)?.epoch ?? null;
  return {
    seed, run: relative(root, out), wallSeconds: results.wallSeconds, device: results.device, backend: results.backend,
    saturatedAt: saturated, ...plateau(perEpoch.map((r) => r.trainAccuracy)), perEpoch, test: results.test?.top1 ?? null,
  };
}

const runs = [];
for (const seed of seeds) runs.push(await train(seed));

const mean = (xs) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
const fmt = (x, digits = 3) => (x === null || x === undefined ? 'n/a' : x.toFixed(digits));
const perEpoch = [];
for (let epoch = 1; epoch <= epochs; epoch++) {
  const rows = runs.map((r) => r.perEpoch.find((p) => p.epoch === epoch)).filter(Boolean);
  const pick = (f) => rows.map(f).filter((x) => x !== null && x !== undefined);
  perEpoch.push({
    epoch,
    trainAccuracy: mean(pick((r) => r.trainAccuracy)),
    trainingAuc: pick((r) => r.training?.auc),
    validationAuc: pick((r) => r.validation?.auc),
  });
}

const summary = {
  made: new Date().toISOString().slice(0, 10),
  command: `node scripts/gate-auc.mjs ${process.argv.slice(2).join(' ')}`.trim(),
  preset: args.preset,
  method: 'mnf-csc',
  epochs,
  saturationThreshold: saturation,
  data: { ...data, noise, seed: 7, training: groupCounts('training'), validation: groupCounts('validation') },
  score: '1 - cos(ã, a) (docs/teacher-truth.md)',
  machine: `${runs[0].backend}, ${runs[0].device}; ${cpus().length} × ${cpus()[0]?.model ?? 'unknown'} (${platform()} ${release()})`,
  runs,
};
mkdirSync(dirname(summaryPath), { recursive: true });
// one line per epoch, so the file stays short and diffs well
const perEpochLines = (run) => `[\n${run.perEpoch.map((p) => `    ${JSON.stringify(p)}`).join(',\n')}\n   ]`;
const text = JSON.stringify({ ...summary, runs: summary.runs.map((r, i) => ({ ...r, perEpoch: `@perEpoch${i}` })) }, null, 1).replace(/"@perEpoch(\d+)"/g, (_, i) => perEpochLines(summary.runs[Number(i)]));
writeFileSync(summaryPath, text + '\n');
process.stderr.write(`wrote ${relative(root, summaryPath)}\n`);

// the section of docs/results.md between the markers (appended when absent)
const START = '<!-- gate-auc:start (scripts/gate-auc.mjs writes this section) -->';
const END = '<!-- gate-auc:end -->';
const list = (xs) => (xs.length ? `${xs.map((x) => fmt(x, 2)).join(' / ')}${xs.length > 1 ? ` (mean ${fmt(mean(xs), 2)})` : ''}` : 'n/a');
const every = Math.max(1, Math.ceil(epochs / 15));
const shown = perEpoch.filter((p) => p.epoch === 1 || p.epoch % every === 0 || p.epoch === epochs);
const tr = groupCounts('training');
const va = groupCounts('validation');
// the verdict: the AUC over the last quarter of the epochs, against the spread one epoch's AUC has
// when the groups do not differ (Mann–Whitney: σ = √((m + n + 1) / (12 m n)), m, n the group sizes)
const lastQuarter = perEpoch.filter((p) => p.epoch > epochs - Math.max(1, Math.floor(epochs / 4)));
const verdict = (split, counts, unit) => {
  const values = lastQuarter.flatMap((p) => p[`${split}Auc`]);
  const m = mean(values);
  const sigma = Math.sqrt((counts.clean + counts.irrelevant + 1) / (12 * counts.clean * counts.irrelevant));
  const above = values.filter((x) => x > 0.5).length;
  const reading =
    // epochs and seeds see the same videos, so averaging them does not shrink the videos' sampling spread
    m === null ? 'no AUC' : Math.abs(m - 0.5) < 2 * sigma ? `within 2σ of 0.5: no separation this sample can show${m > 0.5 ? '' : ' (if anything, clean features turned further)'}` :
    m > 0.5 ? 'irrelevant features turned further than clean ones (the intended direction)' : 'clean features turned further than irrelevant ones (the opposite of the intended direction)';
  return `${split}: mean AUC ${fmt(m, 3)} over epochs ${lastQuarter[0].epoch}–${epochs} and all seeds, above 0.5 in ${above} of ${values.length}; ` +
    `one epoch's AUC spreads by σ ≈ ${fmt(sigma, 2)} when the groups do not differ (${counts.clean} clean, ${counts.irrelevant} irrelevant ${unit}): ${reading}`;
};

const section = [
  START,
  '## Does the MNF gate tell irrelevant teacher features from clean ones? (CPU)',
  '',
  `Made by \`scripts/gate-auc.mjs\` on ${summary.made}: \`mnf-csc\`, preset \`${args.preset}\`, ${seeds.length} seed${seeds.length === 1 ? '' : 's'} (${seeds.join(', ')}), ${epochs} epochs each, on ${summary.machine}; other work was running on the machine.`,
  '',
  '```',
  summary.command,
  '```',
  '',
  `- data: make-synthetic, ${data.classes} classes × ${data.videosPerClass} videos, ${data.frames} frames of ${data.size} px, \`--noise ${noise}\` (seed 7): ` +
    `${tr.clean} clean and ${tr.irrelevant} irrelevant teacher features among the training videos, ${va.clean} and ${va.irrelevant} among the validation videos (3 clips each are scored)`,
  '- AUC: ROC AUC of the filter score 1 − cos(ã, a) for telling irrelevant from clean (ties ½; 0.5 = no separation), [teacher-truth.md](teacher-truth.md); training: over the epoch\'s training batches (train mode); validation: over the clip-level validation at the epoch\'s end (eval mode)',
  `- saturation: the first epoch whose train accuracy reaches ${(100 * saturation).toFixed(0)}%; per seed: ${runs.map((r) => `seed ${r.seed}: ${r.saturatedAt ?? `not reached (best ${(100 * Math.max(...r.perEpoch.map((p) => p.trainAccuracy))).toFixed(1)}%)`}`).join(', ')}`,
  `- plateau (level: mean train accuracy of the last 10 epochs; from: the first epoch whose trailing 5-epoch mean is within 3 points of it): ${runs.map((r) => `seed ${r.seed}: ${(100 * r.plateauLevel).toFixed(1)}% from epoch ${r.plateauFrom}`).join(', ')}`,
  `- summary with every epoch and the groups' mean gate and score: [bench/gate-auc/summary.json](bench/gate-auc/summary.json); run folders not committed`,
  '',
  `- verdict, ${verdict('training', tr, 'videos')}`,
  `- verdict, ${verdict('validation', va, 'videos, their 3 clips each counted once here since they share a feature')}`,
  '',
  '| epoch | train acc (mean) | AUC training (per seed) | AUC validation (per seed) |',
  '| --- | --- | --- | --- |',
  ...shown.map((p) => `| ${p.epoch} | ${fmt(p.trainAccuracy === null ? null : 100 * p.trainAccuracy, 1)}% | ${list(p.trainingAuc)} | ${list(p.validationAuc)} |`),
  '',
  END,
].join('\n');
const current = existsSync(resultsPath) ? readFileSync(resultsPath, 'utf8') : '';
const from = current.indexOf(START);
const to = current.indexOf(END);
const next = from >= 0 && to > from ? current.slice(0, from) + section + current.slice(to + END.length) : `${current.trimEnd()}\n\n${section}\n`;
writeFileSync(`${resultsPath}.tmp`, next);
renameSync(`${resultsPath}.tmp`, resultsPath);
process.stderr.write(`wrote the gate-auc section of ${relative(root, resultsPath)}\n`);
