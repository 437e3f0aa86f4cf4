// Reader of the seed layout: annotation.json + video_set_4fps/<id>.hdf5 + audio_features/<id>.npy
// (flat or in class folders, class names matched case-insensitively, macOS `._*` files ignored).
// Every fault is one line naming the file; per-sample faults are skipped (and listed) or fatal.
// A teacher feature with a NaN or Inf is a per-sample fault; an all-zero one is legal (a silent video).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { probeVideos } from '../native/decode.js';
import { DatasetError, readAnnotation, SUBSETS } from './annotation.js';
import { NpyError, readNpy } from './npy.js';
import type { Subset, VideoRecord } from './types.js';

export type OnBadSample = 'skip' | 'fail';

export interface DatasetLayout {
  /** annotation file name inside the dataset folder */
  annotation: string;
  /** folder of <id>.hdf5 */
  videos: string;
  /** folder of <id>.npy (or <Class>/<id>.npy) */
  features: string;
}

export const SEED_LAYOUT: DatasetLayout = {
  annotation: 'annotation.json',
  videos: 'video_set_4fps',
  features: 'audio_features',
};

export interface OpenDatasetOptions {
  layout?: Partial<DatasetLayout>;
  /** default 'skip': faulty samples are left out and listed in `problems` */
  onBadSample?: OnBadSample;
  /** frames per clip; shorter videos are kept (frames loop) with a warning */
  clipLength?: number;
  /** decode every frame of every video to find corrupt JPEGs (slow; `data inspect` uses it) */
  deep?: boolean;
  /** expected teacher feature size; default: the most common size found */
  teacherDim?: number;
  /** return a dataset even when no video is usable (for reports); otherwise that is an error */
  allowEmpty?: boolean;
}

export interface DatasetProblem {
  /** 'error': the sample is left out; 'warning': it is used */
  severity: 'error' | 'warning';
  /** the annotation id concerned, when there is one */
  id?: string;
  file: string;
  /** one line: "<file>: <fault>" */
  message: string;
}

export interface FrameStats {
  min: number;
  median: number;
  max: number;
}

export interface Dataset {
  dir: string;
  layout: DatasetLayout;
  classNames: string[];
  teacherDim: number;
  videos(subset: Subset): VideoRecord[];
  /** the teacher feature of a usable video (teacherDim floats) */
  teacher(record: VideoRecord): Float32Array;
  problems: DatasetProblem[];
  /** annotation entries left out */
  skipped: number;
}

/** Lists <id>.npy files directly in `dir` and one level down (class folders). */
function findFeatureFiles(dir: string): Map<string, { path: string; folder?: string }> {
  const found = new Map<string, { path: string; folder?: string }>();
  if (!existsSync(dir)) return found;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('._')) continue;
    if (entry.isFile() && entry.name.endsWith('.npy')) {
      found.set(entry.name.slice(0, -4), { path: join(dir, entry.name) });
    } else if (entry.isDirectory()) {
      for (const inner of readdirSync(join(dir, entry.name), { withFileTypes: true })) {
        if (inner.name.startsWith('._') || !inner.isFile() || !inner.name.endsWith('.npy')) continue;
        found.set(inner.name.slice(0, -4), { path: join(dir, entry.name, inner.name), folder: entry.name });
      }
    }
  }
  return found;
}

/** The fault part of a "<file>: <fault>" line. */
export function faultOf(file: string, message: string): string {
  return message.startsWith(file + ': ') ? message.slice(file.length + 2) : message;
}

/** How many values are NaN or ±Inf, which kinds, and the first index; undefined when all are finite. */
function nonFinite(values: Float32Array): { count: number; names: string; first: number } | undefined {
  let count = 0;
  let first = -1;
  const kinds = new Set<string>();
  values.forEach((x, i) => {
    if (Number.isFinite(x)) return;
    count++;
    if (first < 0) first = i;
    kinds.add(Number.isNaN(x) ? 'NaN' : x > 0 ? '+Inf' : '-Inf');
  });
  const names = ['NaN', '+Inf', '-Inf'].filter((k) => kinds.has(k)).join(', ');
  return count > 0 ? { count, names, first } : undefined;
}

function mostCommon(values: number[]): number | undefined {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: number | undefined;
  for (const [v, c] of counts) if (best === undefined || c > counts.get(best)!) best = v;
  return best;
}

export function frameStats(counts: number[]): FrameStats {
  if (counts.length === 0) return { min: 0, median: 0, max: 0 };
  const sorted = [...counts].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { min: sorted[0], median, max: sorted[sorted.length - 1] };
}

export async function openDataset(dir: string, options: OpenDatasetOptions = {}): Promise<Dataset> {
  const root = resolve(dir);
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new DatasetError(`${root}: dataset folder not found`);
  const layout = { ...SEED_LAYOUT, ...options.layout };
  const onBad = options.onBadSample ?? 'skip';
  const annotation = readAnnotation(join(root, layout.annotation));
  const videoDir = join(root, layout.videos);
  const featureDir = join(root, layout.features);
  const problems: DatasetProblem[] = [];
  const report = (severity: 'error' | 'warning', file: string, fault: string, id?: string) => {
    const message = `${file}: ${fault}`;
    if (severity === 'error' && onBad === 'fail') throw new DatasetError(message);
    problems.push({ severity, id, file, message });
  };
  // A missing folder is reported once (its entries then list what they miss) rather than thrown,
  // so `data inspect` can show a dataset that still needs its teacher features.
  const missingFolder = (dir: string, expected: string) => {
    const message = `${dir}: folder not found (expected ${expected})`;
    if (onBad === 'fail') throw new DatasetError(message);
    problems.push({ severity: 'error', file: dir, message });
  };
  if (!existsSync(videoDir)) missingFolder(videoDir, '<id>.hdf5 video files');
  if (!existsSync(featureDir)) missingFolder(featureDir, '<id>.npy teacher features');

  const labelIndex = new Map(annotation.labels.map((l, i) => [l, i]));
  const labelByLower = new Map(annotation.labels.map((l) => [l.toLowerCase(), l]));
  const features = findFeatureFiles(featureDir);
  const annotationPath = join(root, layout.annotation);

  // Candidates: entries whose label, subset and files check out; features loaded, videos probed next.
  interface Candidate {
    record: VideoRecord;
    feature: Float32Array;
  }
  const candidates: Candidate[] = [];
  for (const entry of annotation.entries) {
    const label = labelIndex.get(entry.label);
    if (label === undefined) {
      report('error', annotationPath, `'${entry.id}' has unknown label '${entry.label}' (not in "labels")`, entry.id);
      continue;
    }
    if (!(SUBSETS as readonly string[]).includes(entry.subset)) {
      report('error', annotationPath, `'${entry.id}' has unknown subset '${entry.subset}' (expected training or validation)`, entry.id);
      continue;
    }
    const videoPath = join(videoDir, `${entry.id}.hdf5`);
    const feature = features.get(entry.id);
    const hasVideo = existsSync(videoPath);
    if (!hasVideo && !feature) {
      report('error', annotationPath, `'${entry.id}' has no files (no ${layout.videos}/${entry.id}.hdf5, no ${layout.features}/${entry.id}.npy)`, entry.id);
      continue;
    }
    if (!hasVideo) {
      report('error', videoPath, 'missing video file', entry.id);
      continue;
    }
    if (!feature) {
      report('error', join(featureDir, `${entry.id}.npy`), 'missing teacher feature', entry.id);
      continue;
    }
    if (feature.folder && labelByLower.get(feature.folder.toLowerCase()) !== entry.label) {
      report('warning', feature.path, `in class folder '${feature.folder}' but annotated '${entry.label}'`, entry.id);
    }
    let data: Float32Array;
    try {
      const npy = readNpy(feature.path);
      if (npy.shape.length !== 1) throw new NpyError(`${feature.path}: shape (${npy.shape.join(', ')}), expected (D,) for a teacher feature`);
      const bad = nonFinite(npy.data);
      if (bad) {
        throw new NpyError(
          `${feature.path}: ${bad.count} of ${npy.data.length} values are not finite (${bad.names}; first at index ${bad.first}), expected a finite teacher feature`,
        );
      }
      data = npy.data;
    } catch (err) {
      report('error', feature.path, faultOf(feature.path, (err as Error).message), entry.id);
      continue;
    }
    candidates.push({
      record: {
        id: entry.id,
        label,
        className: entry.label,
        subset: entry.subset as Subset,
        frameCount: 0,
        videoPath,
        teacherPath: feature.path,
      },
      feature: data,
    });
  }

  const teacherDim = options.teacherDim ?? mostCommon(candidates.map((c) => c.feature.length)) ?? 0;
  const probes = await probeVideos(
    candidates.map((c) => c.record.videoPath),
    options.deep ?? false,
  );
  const usable: Candidate[] = [];
  candidates.forEach((c, i) => {
    const probe = probes[i];
    if (c.feature.length !== teacherDim) {
      report('error', c.record.teacherPath, `shape (${c.feature.length},), expected (${teacherDim},) like the other teacher features`, c.record.id);
      return;
    }
    if (probe.error) {
      report('error', c.record.videoPath, faultOf(c.record.videoPath, probe.error), c.record.id);
      return;
    }
    c.record.frameCount = probe.frames;
    c.record.width = probe.width;
    c.record.height = probe.height;
    if (options.clipLength && probe.frames < options.clipLength) {
      report('warning', c.record.videoPath, `${probe.frames} frames, shorter than a ${options.clipLength}-frame clip (frames loop)`, c.record.id);
    }
    usable.push(c);
  });

  if (usable.length === 0 && !options.allowEmpty) {
    const first = problems.find((p) => p.severity === 'error');
    throw new DatasetError(
      `${root}: no usable videos (${annotation.entries.length} annotated, ${problems.length} problems${first ? `; first: ${first.message}` : ''})`,
    );
  }

  const bySubset = new Map<Subset, VideoRecord[]>(SUBSETS.map((s) => [s, []]));
  const teacherById = new Map<string, Float32Array>();
  for (const c of usable) {
    bySubset.get(c.record.subset)!.push(c.record);
    teacherById.set(c.record.id, c.feature);
  }
  return {
    dir: root,
    layout,
    classNames: [...annotation.labels],
    teacherDim,
    videos: (subset) => bySubset.get(subset) ?? [],
    teacher: (record) => {
      const f = teacherById.get(record.id);
      if (!f) throw new DatasetError(`${record.teacherPath}: not a usable video of this dataset`);
      return f;
    },
    problems,
    skipped: annotation.entries.length - usable.length,
  };
}
