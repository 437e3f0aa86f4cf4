// The data side: seed-layout reader, clip loader, synthetic generator, raw-video ingest.
export type { ClipBatch, Subset, VideoRecord } from './types.js';
export { DatasetError } from './annotation.js';
export { openDataset, SEED_LAYOUT, type Dataset, type DatasetLayout, type DatasetProblem, type OnBadSample, type OpenDatasetOptions } from './dataset.js';
export { createLoader, type ClipLoader, type LoaderOptions, type LoaderPosition, type LoaderStats, type LoaderWarning } from './loader.js';
export type { ClipMode } from './sampler.js';
export { makeSynthetic, type SyntheticOptions, type SyntheticSummary } from './synthetic.js';
export { ingestDataset, type IngestOptions, type IngestSummary } from './ingest.js';
export { inspectDataset, formatInspectReport, type InspectReport, type TeacherTruthSummary } from './inspect.js';
export { readTeacherTruth, writeTeacherTruth, teacherGroup, TEACHER_TRUTH_FILE, type TeacherTruth, type TeacherGroup } from './teacher-truth.js';
export { defaultDatasetDir, ensureDefaultDataset, DEFAULT_DATASET } from './default-dataset.js';
export { readNpy, parseNpy, encodeNpy, NpyError } from './npy.js';
