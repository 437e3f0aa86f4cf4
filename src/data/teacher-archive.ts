// Real teacher features grouped by class: a folder of <Class>/<id>.npy, or the UCF51 archive
// (audio_cnn14_512.tar.gz, read in memory: gzip + ustar). macOS `._*` entries are ignored.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DatasetError } from './annotation.js';
import { parseNpy } from './npy.js';

/** class folder name → features */
export type FeaturesByClass = Map<string, Float32Array[]>;

function add(byClass: FeaturesByClass, className: string, feature: Float32Array) {
  const list = byClass.get(className) ?? [];
  list.push(feature);
  byClass.set(className, list);
}

function fromFolder(dir: string): FeaturesByClass {
  const byClass: FeaturesByClass = new Map();
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith('._')) continue;
    for (const file of readdirSync(join(dir, entry.name))) {
      if (file.startsWith('._') || !file.endsWith('.npy')) continue;
      const path = join(dir, entry.name, file);
      add(byClass, entry.name, parseNpy(readFileSync(path), path).data);
    }
  }
  return byClass;
}

/** Walks a (gzipped) ustar archive; entries <...>/<Class>/<id>.npy. */
function fromArchive(path: string): FeaturesByClass {
  let tar: Buffer;
  try {
    tar = path.endsWith('.gz') || path.endsWith('.tgz') ? gunzipSync(readFileSync(path)) : readFileSync(path);
  } catch (err) {
    throw new DatasetError(`${path}: not a readable .tar.gz (${(err as Error).message.split('\n')[0]})`);
  }
  const byClass: FeaturesByClass = new Map();
  const text = (start: number, length: number) => {
    const raw = tar.subarray(start, start + length);
    const end = raw.indexOf(0);
    return raw.subarray(0, end < 0 ? length : end).toString('utf8');
  };
  for (let offset = 0; offset + 512 <= tar.length; ) {
    const name = text(offset, 100);
    if (name === '') break; // end-of-archive blocks
    const prefix = text(offset + 345, 155);
    const size = parseInt(text(offset + 124, 12).trim() || '0', 8);
    const type = String.fromCharCode(tar[offset + 156]);
    const full = prefix ? `${prefix}/${name}` : name;
    const dataStart = offset + 512;
    const parts = full.split('/').filter((p) => p.length > 0);
    const file = parts[parts.length - 1] ?? '';
    if ((type === '0' || type === '\0') && file.endsWith('.npy') && !file.startsWith('._') && parts.length >= 2) {
      add(byClass, parts[parts.length - 2], parseNpy(tar.subarray(dataStart, dataStart + size), `${path}:${full}`).data);
    }
    offset = dataStart + Math.ceil(size / 512) * 512;
  }
  return byClass;
}

export function readTeacherFeatures(source: string): FeaturesByClass {
  let isDir: boolean;
  try {
    isDir = statSync(source).isDirectory();
  } catch {
    throw new DatasetError(`${source}: teacher features not found (expected a folder of <Class>/<id>.npy or a .tar.gz)`);
  }
  const byClass = isDir ? fromFolder(source) : fromArchive(source);
  if (byClass.size === 0) throw new DatasetError(`${source}: no <Class>/<id>.npy teacher features inside (${basename(source)})`);
  return byClass;
}
