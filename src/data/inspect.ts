// `data inspect`: what a seed-layout dataset holds and every problem found in it.
import { join } from 'node:path';
import { frameStats, openDataset, type FrameStats, type OpenDatasetOptions } from './dataset.js';
import { DatasetError, SUBSETS } from './annotation.js';
import { readTeacherTruth, TEACHER_SOURCES, TEACHER_TRUTH_FILE, type TeacherSource } from './teacher-truth.js';

export interface SubsetSummary {
  videos: number;
  perClass: Record<string, number>;
  frames: FrameStats;
}

export interface InspectReport {
  dataset: string;
  classes: string[];
  usable: number;
  skipped: number;
  teacherDim: number;
  subsets: Record<string, SubsetSummary>;
  frames: FrameStats;
  /** most common frame size, and every distinct size with its count */
  frameSize: { width: number; height: number };
  frameSizes: { width: number; height: number; videos: number }[];
  /** teacher_truth.json of a generated dataset; null when the dataset has none */
  teacherTruth: TeacherTruthSummary | null;
  problems: { severity: 'error' | 'warning'; file: string; message: string }[];
}

export interface TeacherTruthSummary {
  file: string;
  noise: number;
  partial: number;
  /** usable videos per teacher source */
  sources: Record<TeacherSource, number>;
  /** channels --partial replaced per usable video, out of teacherDim */
  partialChannels: FrameStats & { teacherDim: number };
  /** usable videos the file does not list */
  unlisted: number;
}

type Problem = InspectReport['problems'][number];

function summariseTruth(dir: string, ids: string[], problems: Problem[]): TeacherTruthSummary | null {
  let truth;
  try {
    truth = readTeacherTruth(dir);
  } catch (err) {
    if (!(err instanceof DatasetError)) throw err;
    problems.push({ severity: 'warning', file: join(dir, TEACHER_TRUTH_FILE), message: err.message });
    return null;
  }
  if (!truth) return null;
  const sources = Object.fromEntries(TEACHER_SOURCES.map((s) => [s, 0])) as Record<TeacherSource, number>;
  const partial: number[] = [];
  let unlisted = 0;
  for (const id of ids) {
    const entry = truth.videos[id];
    if (!entry) {
      unlisted++;
      continue;
    }
    sources[entry.source]++;
    partial.push(entry.partialChannels);
  }
  return {
    file: join(dir, TEACHER_TRUTH_FILE),
    noise: truth.noise,
    partial: truth.partial,
    sources,
    partialChannels: { ...frameStats(partial), teacherDim: truth.teacherDim },
    unlisted,
  };
}

/** Opens the dataset in skip mode, decoding every frame unless `deep` is false. */
export async function inspectDataset(dir: string, options: OpenDatasetOptions = {}): Promise<InspectReport> {
  const dataset = await openDataset(dir, { deep: true, clipLength: 16, ...options, onBadSample: 'skip', allowEmpty: true });
  const all = SUBSETS.flatMap((s) => dataset.videos(s));
  const subsets: Record<string, SubsetSummary> = {};
  for (const s of SUBSETS) {
    const videos = dataset.videos(s);
    const perClass: Record<string, number> = Object.fromEntries(dataset.classNames.map((c) => [c, 0]));
    for (const v of videos) perClass[v.className]++;
    subsets[s] = { videos: videos.length, perClass, frames: frameStats(videos.map((v) => v.frameCount)) };
  }
  const sizes = new Map<string, { width: number; height: number; videos: number }>();
  for (const v of all) {
    const key = `${v.width}x${v.height}`;
    const entry = sizes.get(key) ?? { width: v.width ?? 0, height: v.height ?? 0, videos: 0 };
    entry.videos++;
    sizes.set(key, entry);
  }
  const frameSizes = [...sizes.values()].sort((a, b) => b.videos - a.videos);
  const problems: Problem[] = dataset.problems.map(({ severity, file, message }) => ({ severity, file, message }));
  const teacherTruth = summariseTruth(dataset.dir, all.map((v) => v.id), problems);
  return {
    dataset: dataset.dir,
    classes: dataset.classNames,
    usable: all.length,
    skipped: dataset.skipped,
    teacherDim: dataset.teacherDim,
    subsets,
    frames: frameStats(all.map((v) => v.frameCount)),
    frameSize: { width: frameSizes[0]?.width ?? 0, height: frameSizes[0]?.height ?? 0 },
    frameSizes,
    teacherTruth,
    problems,
  };
}

export function formatInspectReport(r: InspectReport): string {
  const lines = [
    `dataset ${r.dataset}`,
    `  ${r.classes.length} classes, ${r.usable} usable videos, ${r.skipped} left out, teacher features ${r.teacherDim}-d`,
    `  frames per video: min ${r.frames.min}, median ${r.frames.median}, max ${r.frames.max}; frame size ${r.frameSize.width}x${r.frameSize.height}` +
      (r.frameSizes.length > 1 ? ` (${r.frameSizes.length} sizes)` : ''),
  ];
  for (const [name, s] of Object.entries(r.subsets)) {
    const perClass = Object.entries(s.perClass).map(([c, n]) => `${c} ${n}`).join(', ');
    lines.push(`  ${name}: ${s.videos} videos (${perClass})`);
  }
  lines.push(formatTruth(r.teacherTruth));
  lines.push(r.problems.length === 0 ? '  no problems found' : `  ${r.problems.length} problems:`);
  for (const p of r.problems) lines.push(`    ${p.severity}: ${p.message}`);
  return lines.join('\n');
}

function formatTruth(t: TeacherTruthSummary | null): string {
  if (!t) return `  teacher truth: none (no ${TEACHER_TRUTH_FILE}; only generated datasets have one)`;
  const p = t.partialChannels;
  return (
    `  teacher truth (${t.file}, --noise ${t.noise}, --partial ${t.partial}): ` +
    `${t.sources.own} own, ${t.sources.other} another class's, ${t.sources.background} background; ` +
    `channels replaced per video: min ${p.min}, median ${p.median}, max ${p.max} of ${p.teacherDim}` +
    (t.unlisted > 0 ? `; ${t.unlisted} usable videos not listed` : '')
  );
}
