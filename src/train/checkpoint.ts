// Checkpoints (format version 2): a folder holding manifest.json (everything but the tensors, and
// the byte size and sha256 of each data file) and the two safetensors files it names:
//   model-<step>-<id>.safetensors     the student's and the method head's weights as the PyTorch
//                                     state_dict of nn.ModuleDict({"student": ..., "head": ...}) of the
//                                     reference modules (names and layouts: torch-state.ts), for
//                                     safetensors.torch.load_file + load_state_dict(strict=True)
//   training-<step>-<id>.safetensors  the optimisers' state and anything else without a PyTorch
//                                     counterpart, in the trainer's names and layouts
// Writing is atomic per folder: the data files get new unique names, then the manifest replaces
// manifest.json (atomic-file.ts). A process killed at any point leaves either the old or the new
// manifest, and the files that manifest names are complete; files it does not name are removed
// afterwards. Reading checks each file's size and sha256 before using it.
// Version 1 (one float32 tensors-*.bin, no checksums) is still read, so old runs can resume.
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { RunConfig } from '../config/types.js';
import { fsyncDir, writeAll, writeFileAtomic } from './atomic-file.js';
import type { EpochTotals } from './epoch-accumulator.js';
import type { RunHistory } from './events.js';
import { decodeSafetensors, encodeSafetensors, SafetensorsError, type SafetensorsTensor } from './safetensors.js';
import { fromTorchState, toTorchState } from './torch-state.js';
import type { TensorState } from './types.js';

export const CHECKPOINT_FORMAT = 'mnf-tui-checkpoint';
export const CHECKPOINT_VERSION = 2;
const MANIFEST = 'manifest.json';

/** Everything the engine needs to continue exactly, besides the tensors. */
export interface CheckpointMeta {
  config: RunConfig;
  method: string;
  /** epochs completed: training continues at this 0-based epoch ... */
  epoch: number;
  /**
   * ... after this many of its batches (training-position.ts); absent in format version 1, whose
   * `loader` field held the loader's position instead
   */
  batch?: number;
  /** optimisation steps taken */
  step: number;
  /** the learning rates in force and the schedule that produced them */
  schedule: { lrStudent: number; lrHead: number; milestones: number[]; gamma: number };
  /** format version 1 only: the loader's position */
  loader?: unknown;
  /** best validation top-1 so far */
  best: { epoch: number; top1: number } | null;
  /** validation top-1 of this checkpoint when it was just evaluated */
  top1: number | null;
  /** the epoch's totals so far when saved mid-epoch or at its end (null at an epoch's start) */
  epochTotals?: EpochTotals | null;
  /** the figures results.json reports so far */
  history?: RunHistory;
  /** the data-parallel job that wrote it (absent before issue 15: one process) */
  world?: { size: number };
}

const DataFile = z.object({
  /** a name in the checkpoint folder */
  file: z.string().regex(/^[\w.-]+$/).refine((f) => f !== '.' && f !== '..'),
  bytes: z.number().int().nonnegative(),
  /** lowercase hex */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
type DataFile = z.infer<typeof DataFile>;

const ROLES = ['model', 'training'] as const;
type Role = (typeof ROLES)[number];

const ManifestV2 = z.looseObject({
  version: z.literal(2),
  files: z.object({ model: DataFile, training: DataFile }),
});

const ManifestV1 = z.looseObject({
  version: z.literal(1),
  tensorsFile: z.string().regex(/^[\w.-]+$/),
  bytes: z.number().int().nonnegative().multipleOf(4),
  tensors: z.array(
    z.object({ name: z.string(), shape: z.array(z.number().int().nonnegative()), offset: z.number().int().nonnegative().multipleOf(4), length: z.number().int().nonnegative() }),
  ),
});

/** the manifest's own fields (the rest is the CheckpointMeta); v1's `extra` was never read */
const CONTAINER_FIELDS = ['format', 'version', 'savedAt', 'files', 'tensorsFile', 'bytes', 'tensors', 'extra'];

export interface Checkpoint {
  meta: CheckpointMeta;
  state: TensorState;
  path: string;
}

export class CheckpointError extends Error {
  override name = 'CheckpointError';
}

export interface WriteOptions {
  /** bytes per write call (default 8 MiB) */
  chunkBytes?: number;
  /** called after every chunk of the data files is written (counts over both files) */
  afterChunk?: (written: number, total: number) => void;
}

interface Progress {
  written: number;
  total: number;
}

/** Writes a new data file (never an existing one) and fsyncs it; the entry the manifest records for it. */
function writeDataFile(dir: string, file: string, chunks: Uint8Array[], options: WriteOptions, progress: Progress): DataFile {
  const chunkBytes = options.chunkBytes ?? 8 << 20;
  const hash = createHash('sha256');
  let bytes = 0;
  const fd = openSync(join(dir, file), 'wx');
  try {
    for (const chunk of chunks) {
      for (let at = 0; at < chunk.length; at += chunkBytes) {
        const piece = chunk.subarray(at, Math.min(at + chunkBytes, chunk.length));
        writeAll(fd, piece);
        hash.update(piece);
        bytes += piece.length;
        progress.written += piece.length;
        options.afterChunk?.(progress.written, progress.total);
      }
    }
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return { file, bytes, sha256: hash.digest('hex') };
}

function asSafetensors(state: TensorState): Record<string, SafetensorsTensor> {
  return Object.fromEntries(Object.entries(state).map(([name, { shape, data }]) => [name, { shape, data }]));
}

/** Writes (or atomically replaces) the checkpoint in `dir`. */
export function writeCheckpoint(dir: string, meta: CheckpointMeta, state: TensorState, options: WriteOptions = {}): void {
  for (const [name, { shape, data }] of Object.entries(state)) {
    const expected = shape.reduce((a, b) => a * b, 1);
    if (data.length !== expected) throw new CheckpointError(`checkpoint tensor '${name}': ${data.length} values for shape [${shape}]`);
  }
  mkdirSync(dir, { recursive: true });
  // PyTorch counts BatchNorm's training-mode batches; the reference runs one per step
  const { model, other } = toTorchState(state, meta.step);
  const described = { producer: 'mnf-tui', checkpointVersion: String(CHECKPOINT_VERSION), method: meta.method, step: String(meta.step) };
  const contents: Record<Role, Uint8Array[]> = {
    model: encodeSafetensors(model, { format: 'pt', ...described, layout: 'pytorch state_dict of {student, head}' }),
    training: encodeSafetensors(asSafetensors(other), { format: 'mnf-tui', ...described, layout: 'mnf-tui trainer state (tfjs layouts)' }),
  };
  const id = `${meta.step}-${randomBytes(4).toString('hex')}`;
  const progress: Progress = { written: 0, total: ROLES.reduce((n, role) => n + contents[role].reduce((m, c) => m + c.length, 0), 0) };
  const files = {} as Record<Role, DataFile>;
  try {
    for (const role of ROLES) files[role] = writeDataFile(dir, `${role}-${id}.safetensors`, contents[role], options, progress);
    fsyncDir(dir);
  } catch (err) {
    for (const role of ROLES) rmSync(join(dir, `${role}-${id}.safetensors`), { force: true });
    throw err;
  }
  const manifest = { format: CHECKPOINT_FORMAT, version: CHECKPOINT_VERSION, savedAt: new Date().toISOString(), ...meta, files };
  writeFileAtomic(join(dir, MANIFEST), JSON.stringify(manifest, null, 1));
  const keep = new Set([MANIFEST, ...ROLES.map((role) => files[role].file)]);
  for (const file of readdirSync(dir)) {
    if (!keep.has(file)) rmSync(join(dir, file), { force: true, recursive: true });
  }
}

type Manifest = { version: 2; files: Record<Role, DataFile> } | z.infer<typeof ManifestV1>;

function readManifest(dir: string): { manifest: Manifest; meta: CheckpointMeta } {
  const path = join(dir, MANIFEST);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new CheckpointError(`checkpoint ${dir}: not a folder`);
  if (!existsSync(path)) throw new CheckpointError(`checkpoint ${dir}: no ${MANIFEST} (expected a folder written by mnf-tui train)`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new CheckpointError(`checkpoint ${path}: not valid JSON (${(err as Error).message.split('\n')[0]})`);
  }
  const { format, version } = (raw ?? {}) as { format?: unknown; version?: unknown };
  if (format !== CHECKPOINT_FORMAT) throw new CheckpointError(`checkpoint ${path}: not an mnf-tui checkpoint manifest`);
  if (version !== 1 && version !== 2) {
    throw new CheckpointError(`checkpoint ${path}: format version ${JSON.stringify(version)}, expected 1 or ${CHECKPOINT_VERSION}`);
  }
  const parsed = (version === 2 ? ManifestV2 : ManifestV1).safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new CheckpointError(`checkpoint ${path}: ${issue.path.join('.') || 'manifest'}: ${issue.message} (format version ${version})`);
  }
  const meta = Object.fromEntries(Object.entries(raw as object).filter(([key]) => !CONTAINER_FIELDS.includes(key))) as unknown as CheckpointMeta;
  return { manifest: parsed.data as Manifest, meta };
}

/** The manifest's metadata without reading the tensors. */
export function readCheckpointMeta(dir: string): CheckpointMeta {
  return readManifest(dir).meta;
}

/** The bytes of a data file the manifest names, after checking they are the bytes that were written. */
function readVerified(dir: string, entry: DataFile): Uint8Array {
  const path = join(dir, entry.file);
  if (!existsSync(path)) throw new CheckpointError(`checkpoint ${path}: missing (${MANIFEST} names it; the checkpoint is incomplete)`);
  const bytes = readFileSync(path);
  if (bytes.length !== entry.bytes) {
    throw new CheckpointError(`checkpoint ${path}: ${bytes.length} bytes, expected ${entry.bytes} (truncated or changed after it was written)`);
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (sha256 !== entry.sha256) {
    throw new CheckpointError(`checkpoint ${path}: sha256 mismatch (file changed after it was written); use another checkpoint`);
  }
  return bytes;
}

function readSafetensors(dir: string, entry: DataFile): Record<string, SafetensorsTensor> {
  const bytes = readVerified(dir, entry);
  try {
    return decodeSafetensors(bytes).tensors;
  } catch (err) {
    if (err instanceof SafetensorsError) throw new CheckpointError(`checkpoint ${join(dir, entry.file)}: ${err.message}`);
    throw err;
  }
}

function readVersion2(dir: string, files: Record<Role, DataFile>): TensorState {
  const model = readSafetensors(dir, files.model);
  const other: TensorState = {};
  for (const [name, { shape, data }] of Object.entries(readSafetensors(dir, files.training))) {
    if (!(data instanceof Float32Array)) throw new CheckpointError(`checkpoint ${join(dir, files.training.file)}: tensor '${name}' is not float32`);
    other[name] = { shape, data };
  }
  try {
    return fromTorchState(model, other);
  } catch (err) {
    throw new CheckpointError(`checkpoint ${join(dir, files.model.file)}: ${(err as Error).message}`);
  }
}

function readVersion1(dir: string, manifest: z.infer<typeof ManifestV1>): TensorState {
  const file = join(dir, manifest.tensorsFile);
  if (!existsSync(file)) throw new CheckpointError(`checkpoint ${dir}: tensors file ${manifest.tensorsFile} is missing`);
  const bytes = readFileSync(file);
  if (bytes.length !== manifest.bytes) {
    throw new CheckpointError(`checkpoint ${file}: ${bytes.length} bytes, expected ${manifest.bytes}`);
  }
  // copy into an aligned buffer: Float32Array views need 4-byte alignment
  const all = new Float32Array(manifest.bytes / 4);
  new Uint8Array(all.buffer).set(bytes);
  const state: TensorState = {};
  for (const t of manifest.tensors) {
    if (t.offset + t.length * 4 > manifest.bytes) throw new CheckpointError(`checkpoint ${join(dir, MANIFEST)}: tensor '${t.name}' lies outside ${manifest.tensorsFile}`);
    state[t.name] = { shape: t.shape, data: all.slice(t.offset / 4, t.offset / 4 + t.length) };
  }
  return state;
}

export function readCheckpoint(dir: string): Checkpoint {
  const { manifest, meta } = readManifest(dir);
  const state = manifest.version === 2 ? readVersion2(dir, manifest.files) : readVersion1(dir, manifest);
  return { meta, state, path: dir };
}

/** Checks that every file the manifest names is there and (version 2) has its recorded size and sha256. */
export function verifyCheckpoint(dir: string): void {
  const { manifest } = readManifest(dir);
  if (manifest.version === 2) for (const role of ROLES) readVerified(dir, manifest.files[role]);
  else readVersion1(dir, manifest);
}

export function isCheckpoint(dir: string): boolean {
  return existsSync(join(dir, MANIFEST));
}
