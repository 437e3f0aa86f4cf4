// teacher_truth.json at a generated dataset's root (docs/teacher-truth.md): for each video id,
// where its teacher feature came from and how many of its channels --partial replaced. Written by
// make-synthetic (synthetic and semi-real), read by `data inspect` and by the engine's gate
// diagnostics (clean against irrelevant teacher features).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { DatasetError } from './annotation.js';

export const TEACHER_TRUTH_FILE = 'teacher_truth.json';

export const TEACHER_SOURCES = ['own', 'other', 'background'] as const;
export type TeacherSource = (typeof TEACHER_SOURCES)[number];

const VideoTruth = z
  .strictObject({
    source: z.enum(TEACHER_SOURCES),
    /** the class whose sound it carries, when source is 'other' */
    fromClass: z.string().min(1).optional(),
    /** semi-real background only: the class whose real feature was scaled down to make it */
    drawnFrom: z.string().min(1).optional(),
    partialChannels: z.number().int().nonnegative(),
  })
  .refine((v) => (v.source === 'other') === (v.fromClass !== undefined), { message: "fromClass is given exactly when source is 'other'" })
  .refine((v) => v.drawnFrom === undefined || v.source === 'background', { message: "drawnFrom is given only when source is 'background'" });

export const TeacherTruthSchema = z.strictObject({
  version: z.literal(1),
  /** the generator's --noise and --partial */
  noise: z.number().min(0).max(1),
  partial: z.number().min(0).max(1),
  /** channels of each teacher feature (partialChannels counts out of these) */
  teacherDim: z.number().int().positive(),
  videos: z.record(z.string(), VideoTruth),
});

export type TeacherTruth = z.infer<typeof TeacherTruthSchema>;
export type VideoTeacherTruth = TeacherTruth['videos'][string];

/**
 * The two groups the gate diagnostics compare: 'clean' when the feature is the video's own
 * class's sound, 'irrelevant' when it is another class's or background. --partial replaces
 * channels of every feature alike, so it does not decide the group (partialChannels says how many).
 */
export type TeacherGroup = 'clean' | 'irrelevant';

export function teacherGroup(truth: VideoTeacherTruth | undefined): TeacherGroup | null {
  if (!truth) return null;
  return truth.source === 'own' ? 'clean' : 'irrelevant';
}

export function writeTeacherTruth(dir: string, truth: TeacherTruth): void {
  writeFileSync(join(dir, TEACHER_TRUTH_FILE), JSON.stringify(TeacherTruthSchema.parse(truth), null, 1) + '\n');
}

/** The dataset's teacher truth; null when the file is absent; a DatasetError naming the file when it is unreadable. */
export function readTeacherTruth(dir: string): TeacherTruth | null {
  const file = join(dir, TEACHER_TRUTH_FILE);
  if (!existsSync(file)) return null;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new DatasetError(`${file}: not valid JSON (${(err as Error).message.split('\n')[0]})`);
  }
  const parsed = TeacherTruthSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new DatasetError(`${file}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return parsed.data;
}
