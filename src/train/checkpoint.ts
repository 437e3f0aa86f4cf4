// Checkpoints: a folder holding manifest.json (everything but the tensors) and one binary file of
// float32 tensors that the manifest names. Writing is atomic per folder: the tensors go to a new
// uniquely named file, then the manifest is written to a temporary name, fsynced and renamed over
// manifest.json. A process killed at any point leaves either the old or the new manifest, and the
// tensors file that manifest names is complete (files it no longer names are removed afterwards).
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { RunConfig } from '../config/types.js';
import type { TensorState } from './types.js';

export const CHECKPOINT_FORMAT = 'mnf-tui-checkpoint';
export const CHECKPOINT_VERSION = 1;
const MANIFEST = 'manifest.json';

export interface TensorEntry {
  name: string;
  shape: number[];
  /** byte offset in the tensors file (float32 little-endian) */
  offset: number;
  /** number of float32 values */
  length: number;
}

/** Everything the engine needs to continue exactly, besides the tensors. */
export interface CheckpointMeta {
  config: RunConfig;
  method: string;
  /** epochs completed: training continues at this 0-based epoch */
  epoch: number;
  /** optimisation steps taken */
  step: number;
  /** the learning rates in force and the schedule that produced them */
  schedule: { lrStudent: number; lrMnf: number; milestones: number[]; gamma: number };
  /** the loader's serialisable position (data order, RNG state) */
  loader: unknown;
  /** best validation top-1 so far */
  best: { epoch: number; top1: number } | null;
  /** validation top-1 of this checkpoint when it was just evaluated */
  top1: number | null;
  /** anything else the engine keeps (training history for results) */
  extra?: Record<string, unknown>;
}

interface Manifest extends CheckpointMeta {
  format: typeof CHECKPOINT_FORMAT;
  version: number;
  savedAt: string;
  tensorsFile: string;
  bytes: number;
  tensors: TensorEntry[];
}

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
  /** called after every chunk of the tensors file is written */
  afterChunk?: (written: number, total: number) => void;
}

function writeAllSync(fd: number, bytes: Uint8Array, options: WriteOptions, total: number, done: { n: number }): void {
  const chunk = options.chunkBytes ?? 8 << 20;
  for (let at = 0; at < bytes.length; ) {
    const n = writeSync(fd, bytes, at, Math.min(chunk, bytes.length - at));
    at += n;
    done.n += n;
    options.afterChunk?.(done.n, total);
  }
}

function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Writes (or atomically replaces) the checkpoint in `dir`. */
export function writeCheckpoint(dir: string, meta: CheckpointMeta, state: TensorState, options: WriteOptions = {}): void {
  mkdirSync(dir, { recursive: true });
  const names = Object.keys(state).sort();
  const tensors: TensorEntry[] = [];
  let offset = 0;
  for (const name of names) {
    const { shape, data } = state[name];
    const expected = shape.reduce((a, b) => a * b, 1);
    if (data.length !== expected) throw new CheckpointError(`checkpoint tensor '${name}': ${data.length} values for shape [${shape}]`);
    tensors.push({ name, shape: [...shape], offset, length: data.length });
    offset += data.length * 4;
  }
  const tensorsFile = `tensors-${meta.step}-${randomBytes(4).toString('hex')}.bin`;
  const fd = openSync(join(dir, tensorsFile), 'w');
  try {
    const done = { n: 0 };
    for (const name of names) {
      const { data } = state[name];
      writeAllSync(fd, new Uint8Array(data.buffer, data.byteOffset, data.byteLength), options, offset, done);
    }
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  const manifest: Manifest = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    savedAt: new Date().toISOString(),
    ...meta,
    tensorsFile,
    bytes: offset,
    tensors,
  };
  const tmp = join(dir, `${MANIFEST}.${randomBytes(4).toString('hex')}.tmp`);
  const mfd = openSync(tmp, 'w');
  try {
    writeSync(mfd, JSON.stringify(manifest, null, 1));
    fsyncSync(mfd);
  } finally {
    closeSync(mfd);
  }
  renameSync(tmp, join(dir, MANIFEST));
  fsyncDir(dir);
  for (const file of readdirSync(dir)) {
    if (file !== MANIFEST && file !== tensorsFile) rmSync(join(dir, file), { force: true, recursive: true });
  }
}

function readManifest(dir: string): Manifest {
  const path = join(dir, MANIFEST);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new CheckpointError(`checkpoint ${dir}: not a folder`);
  if (!existsSync(path)) throw new CheckpointError(`checkpoint ${dir}: no ${MANIFEST} (expected a folder written by mnf-tui train)`);
  let manifest: Manifest;
  try {
    manifest = JSON.parse(readFileSync(path, 'utf8')) as Manifest;
  } catch (err) {
    throw new CheckpointError(`checkpoint ${path}: not valid JSON (${(err as Error).message.split('\n')[0]})`);
  }
  if (manifest.format !== CHECKPOINT_FORMAT) throw new CheckpointError(`checkpoint ${path}: not an mnf-tui checkpoint manifest`);
  if (manifest.version !== CHECKPOINT_VERSION) {
    throw new CheckpointError(`checkpoint ${path}: format version ${manifest.version}, expected ${CHECKPOINT_VERSION}`);
  }
  return manifest;
}

/** The manifest's metadata without reading the tensors. */
export function readCheckpointMeta(dir: string): CheckpointMeta {
  return stripManifest(readManifest(dir));
}

function stripManifest(m: Manifest): CheckpointMeta {
  const { config, method, epoch, step, schedule, loader, best, top1, extra } = m;
  return { config, method, epoch, step, schedule, loader, best, top1, extra };
}

export function readCheckpoint(dir: string): Checkpoint {
  const manifest = readManifest(dir);
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
    state[t.name] = { shape: t.shape, data: all.slice(t.offset / 4, t.offset / 4 + t.length) };
  }
  return { meta: stripManifest(manifest), state, path: dir };
}

export function isCheckpoint(dir: string): boolean {
  return existsSync(join(dir, MANIFEST));
}
