// `data ingest`: raw videos (any FFmpeg-readable file) → seed layout. Decoding, frame sampling,
// scaling and JPEG encoding run in the addon (libavformat/libavcodec/libswscale + libjpeg-turbo).
// Teacher features are not computed: needs-teacher-features.txt lists the videos without a .npy.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, extname, join, relative, resolve } from 'node:path';
import { ingestVideos } from '../native/decode.js';
import { DatasetError, writeAnnotationJson, type AnnotationEntry } from './annotation.js';
import { SEED_LAYOUT, faultOf, type OnBadSample } from './dataset.js';
import { Rng } from '../rng.js';

export type LabelRule = 'folder' | 'ucf-name';

export interface IngestOptions {
  videos: string;
  out: string;
  fps?: number;
  shortSide?: number;
  quality?: number;
  /** default: 'ucf-name' when every file is named v_<Class>_gXX_cYY, else 'folder' */
  labels?: LabelRule;
  /** UCF split-1 rule: these groups go to validation (e.g. [1, 7]) */
  valGroups?: [number, number];
  /** otherwise: this share of each class goes to validation (default 0.2), chosen by a seeded shuffle */
  valFraction?: number;
  seed?: number;
  onBadSample?: OnBadSample;
  onProgress?: (done: number, total: number) => void;
}

export interface IngestSummary {
  out: string;
  classes: string[];
  videos: number;
  frames: number;
  training: number;
  validation: number;
  failed: string[];
  /** files under --videos without a video extension (not read) */
  ignored: string[];
  needsTeacherFeatures: number;
  needsTeacherFeaturesFile: string;
}

const VIDEO_EXTENSIONS = new Set(['.avi', '.mp4', '.mkv', '.mov', '.webm', '.mpg', '.mpeg', '.m4v', '.flv', '.wmv', '.3gp', '.ogv', '.ts']);
const UCF_NAME = /^v_([A-Za-z0-9]+)_g(\d+)_c(\d+)$/;

/** Video files under `dir` (by extension), and the other files, which are not read. */
function listVideos(dir: string): { videos: string[]; ignored: string[] } {
  const videos: string[] = [];
  const ignored: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && VIDEO_EXTENSIONS.has(extname(entry.name).toLowerCase())) videos.push(path);
      else ignored.push(path);
    }
  };
  walk(dir);
  return { videos: videos.sort(), ignored: ignored.sort() };
}

interface Source {
  path: string;
  id: string;
  label: string;
  group?: number;
}

export async function ingestDataset(options: IngestOptions): Promise<IngestSummary> {
  const videosDir = resolve(options.videos);
  if (!existsSync(videosDir) || !statSync(videosDir).isDirectory()) throw new DatasetError(`${videosDir}: video folder not found`);
  const { videos: files, ignored } = listVideos(videosDir);
  if (files.length === 0) throw new DatasetError(`${videosDir}: no video files (${[...VIDEO_EXTENSIONS].join(' ')})`);
  const stems = files.map((f) => basename(f, extname(f)));
  const rule: LabelRule = options.labels ?? (stems.every((s) => UCF_NAME.test(s)) ? 'ucf-name' : 'folder');
  const used = new Set<string>();
  const sources: Source[] = files.map((path, i) => {
    const stem = stems[i];
    const ucf = UCF_NAME.exec(stem);
    let label: string;
    if (rule === 'ucf-name') {
      if (!ucf) throw new DatasetError(`${path}: name is not v_<Class>_gXX_cYY (--labels ucf-name)`);
      label = ucf[1];
    } else {
      const rel = relative(videosDir, path).split(/[\\/]/);
      if (rel.length < 2) throw new DatasetError(`${path}: not inside a class folder (--labels folder)`);
      label = rel[rel.length - 2];
    }
    let id = stem.replace(/[^A-Za-z0-9_.-]/g, '_');
    for (let k = 2; used.has(id); k++) id = `${stem}_${k}`;
    used.add(id);
    return { path, id, label, group: ucf ? Number(ucf[2]) : undefined };
  });

  const subsetOf = new Map<string, 'training' | 'validation'>();
  if (options.valGroups) {
    const [lo, hi] = options.valGroups;
    for (const s of sources) {
      if (s.group === undefined) throw new DatasetError(`${s.path}: --val-groups needs names v_<Class>_gXX_cYY`);
      subsetOf.set(s.id, s.group >= lo && s.group <= hi ? 'validation' : 'training');
    }
  } else {
    const fraction = options.valFraction ?? 0.2;
    const byClass = new Map<string, Source[]>();
    for (const s of sources) byClass.set(s.label, [...(byClass.get(s.label) ?? []), s]);
    for (const [label, list] of byClass) {
      const order = Rng.from(options.seed ?? 3, ...[...label].map((ch) => ch.charCodeAt(0))).permutation(list.length);
      const val = Math.round(list.length * fraction);
      order.forEach((idx, rank) => subsetOf.set(list[idx].id, rank < val ? 'validation' : 'training'));
    }
  }

  const out = resolve(options.out);
  const videoDir = join(out, SEED_LAYOUT.videos);
  const featureDir = join(out, SEED_LAYOUT.features);
  mkdirSync(videoDir, { recursive: true });
  const failed: string[] = [];
  const ok: { source: Source; frames: number }[] = [];
  const chunk = 8;
  for (let i = 0; i < sources.length; i += chunk) {
    const part = sources.slice(i, i + chunk);
    const temps = part.map((s) => join(videoDir, `${s.id}.hdf5.partial`));
    const results = await ingestVideos(
      part.map((s) => s.path),
      temps,
      { fps: options.fps ?? 4, shortSide: options.shortSide ?? 240, quality: options.quality ?? 90 },
    );
    results.forEach((r, k) => {
      if (r.error) {
        rmSync(temps[k], { force: true });
        const message = `${part[k].path}: ${faultOf(part[k].path, r.error)}`;
        if ((options.onBadSample ?? 'skip') === 'fail') throw new DatasetError(message);
        failed.push(message);
        return;
      }
      renameSync(temps[k], join(videoDir, `${part[k].id}.hdf5`));
      ok.push({ source: part[k], frames: r.frames });
    });
    options.onProgress?.(Math.min(i + chunk, sources.length), sources.length);
  }
  if (ok.length === 0) throw new DatasetError(`${videosDir}: none of ${sources.length} videos could be ingested; first: ${failed[0]}`);

  const labels = [...new Set(ok.map((o) => o.source.label))].sort();
  const entries: AnnotationEntry[] = ok.map((o) => ({ id: o.source.id, subset: subsetOf.get(o.source.id)!, label: o.source.label }));
  const annotationPath = join(out, SEED_LAYOUT.annotation);
  writeFileSync(`${annotationPath}.partial`, writeAnnotationJson(labels, entries));
  renameSync(`${annotationPath}.partial`, annotationPath);
  const hasFeature = (id: string, label: string) =>
    existsSync(join(featureDir, `${id}.npy`)) || existsSync(join(featureDir, label, `${id}.npy`));
  const missing = ok.filter((o) => !hasFeature(o.source.id, o.source.label));
  const listPath = join(out, 'needs-teacher-features.txt');
  writeFileSync(listPath, missing.map((o) => `${o.source.id}\t${o.source.label}\t${o.source.path}\n`).join(''));
  return {
    out,
    classes: labels,
    videos: ok.length,
    frames: ok.reduce((s, o) => s + o.frames, 0),
    training: entries.filter((e) => e.subset === 'training').length,
    validation: entries.filter((e) => e.subset === 'validation').length,
    failed,
    ignored,
    needsTeacherFeatures: missing.length,
    needsTeacherFeaturesFile: listPath,
  };
}
