// mnf-tui data make-synthetic | ingest | inspect: dataset tools (src/data/). Faults end in one line
// naming the file; skipped samples are counted and printed as warnings (or listed in --json).
import { existsSync, statSync } from 'node:fs';
import { ON_BAD_SAMPLE_POLICIES } from '../config/schema.js';
import { UsageError, choiceFlag, intFlag, numberFlag, parseFlags } from './args.js';
import { INGEST_FLAGS, INSPECT_FLAGS, MAKE_SYNTHETIC_FLAGS } from './help.js';
import { prepareOutputDir } from './output-dir.js';

const SUBCOMMANDS = ['make-synthetic', 'ingest', 'inspect'] as const;

// The longest path a dataset tool writes inside --out: video_set_4fps/<id>.hdf5.partial with an
// id of up to 100 bytes.
const DATASET_LONGEST_ENTRY = 128;

function progress(label: string): ((done: number, total: number) => void) | undefined {
  if (!process.stderr.isTTY) return undefined;
  return (done, total) => {
    process.stderr.write(`\r${label} ${done}/${total}`);
    if (done === total) process.stderr.write('\n');
  };
}

function print(json: boolean, document: unknown, text: string) {
  process.stdout.write(json ? JSON.stringify(document, null, 2) + '\n' : text + '\n');
}

function required(value: string | undefined, flag: string): string {
  if (!value) throw new UsageError(`${flag} is required`);
  return value;
}

const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

function folderFlag(value: string, flag: string): string {
  if (!existsSync(value) || !statSync(value).isDirectory()) throw new UsageError(`${flag} ${value}: folder not found`);
  return value;
}

async function makeSyntheticCommand(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, MAKE_SYNTHETIC_FLAGS);
  const options = {
    out: required(values.out, '--out'),
    classes: intFlag(values.classes, '--classes', 2),
    videosPerClass: intFlag(values['videos-per-class'], '--videos-per-class', 2),
    frames: intFlag(values.frames, '--frames', 1),
    size: intFlag(values.size, '--size', 16),
    noise: numberFlag(values.noise, '--noise', 0, 1),
    partial: numberFlag(values.partial, '--partial', 0, 1),
    seed: intFlag(values.seed, '--seed', 0),
    teacherFeatures: values['teacher-features'],
    valFraction: numberFlag(values['val-fraction'], '--val-fraction', 0, 1),
    onProgress: progress('make-synthetic: videos'),
  };
  if (options.teacherFeatures !== undefined && !existsSync(options.teacherFeatures)) {
    throw new UsageError(`--teacher-features ${options.teacherFeatures}: not found (expected a folder of <Class>/<id>.npy or the UCF51 .tar.gz)`);
  }
  prepareOutputDir(options.out, '--out', { longestEntry: DATASET_LONGEST_ENTRY });
  const { makeSynthetic } = await import('../data/synthetic.js');
  const summary = await makeSynthetic(options);
  print(!!values.json, summary, `wrote ${summary.videos} videos (${summary.frames} frames, ${summary.classNames.length} classes, ${summary.noisyTeacher} with an irrelevant teacher feature) to ${summary.out}`);
  return 0;
}

function parseGroups(value: string | undefined): [number, number] | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d+)(?:-(\d+))?$/.exec(value);
  if (!m || Number(m[2] ?? m[1]) < Number(m[1])) throw new UsageError(`--val-groups: expected a range like 1-7, got '${value}'`);
  return [Number(m[1]), Number(m[2] ?? m[1])];
}

async function ingestCommand(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, INGEST_FLAGS);
  if (values['val-groups'] !== undefined && values['val-fraction'] !== undefined) {
    throw new UsageError('--val-groups and --val-fraction: give one of them');
  }
  const options = {
    videos: folderFlag(required(values.videos, '--videos'), '--videos'),
    out: required(values.out, '--out'),
    fps: numberFlag(values.fps, '--fps', 0.01, 1000),
    shortSide: intFlag(values['short-side'], '--short-side', 0),
    labels: choiceFlag(values.labels, '--labels', ['folder', 'ucf-name'] as const),
    valGroups: parseGroups(values['val-groups']),
    valFraction: numberFlag(values['val-fraction'], '--val-fraction', 0, 1),
    onBadSample: choiceFlag(values['on-bad-sample'], '--on-bad-sample', ON_BAD_SAMPLE_POLICIES),
    onProgress: progress('ingest: videos'),
  };
  prepareOutputDir(options.out, '--out', { longestEntry: DATASET_LONGEST_ENTRY });
  const { ingestDataset } = await import('../data/ingest.js');
  const summary = await ingestDataset(options);
  if (!values.json) {
    for (const line of summary.failed) process.stderr.write(`warning: skipped ${line}\n`);
    if (summary.ignored.length > 0) process.stderr.write(`note: ${summary.ignored.length} files without a video extension not read (first: ${summary.ignored[0]})\n`);
  }
  print(
    !!values.json,
    summary,
    `ingested ${summary.videos} videos (${summary.frames} frames; ${summary.training} training, ${summary.validation} validation; ` +
      `${summary.failed.length} skipped) into ${summary.out}; ${summary.needsTeacherFeatures} need a teacher feature, listed in ${summary.needsTeacherFeaturesFile}`,
  );
  return 0;
}

async function inspectCommand(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, INSPECT_FLAGS);
  const { inspectDataset, formatInspectReport } = await import('../data/inspect.js');
  const layout = {
    ...(values.annotation ? { annotation: values.annotation } : {}),
    ...(values['videos-folder'] ? { videos: values['videos-folder'] } : {}),
    ...(values['features-folder'] ? { features: values['features-folder'] } : {}),
  };
  const report = await inspectDataset(required(values.dataset, '--dataset'), {
    deep: !values.quick,
    clipLength: intFlag(values['clip-length'], '--clip-length', 1) ?? 16,
    layout,
  });
  print(!!values.json, report, formatInspectReport(report));
  const errors = report.problems.filter((p) => p.severity === 'error').length;
  if (report.usable === 0) {
    process.stderr.write(`mnf-tui: ${report.dataset}: no usable videos (${report.problems.length} problems listed above)\n`);
    return 1;
  }
  // a dataset that trains on fewer videos than it lists is not fine
  if (errors > 0 || report.skipped > 0) {
    process.stderr.write(`mnf-tui: ${report.dataset}: ${count(report.skipped, 'video')} left out (${count(errors, 'error')} listed above)\n`);
    return 1;
  }
  return 0;
}

export async function data(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  switch (name) {
    case 'make-synthetic':
      return makeSyntheticCommand(rest);
    case 'ingest':
      return ingestCommand(rest);
    case 'inspect':
      return inspectCommand(rest);
    default:
      throw new UsageError(`data: expected one of ${SUBCOMMANDS.join(', ')}, got '${name ?? ''}'`);
  }
}
