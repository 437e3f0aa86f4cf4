// Checking an output folder (--out) before a command writes anything into it: the folder is
// created one component at a time (Node's recursive mkdirSync loops forever under /proc), a probe
// file is written, fsynced and removed, and the path's length is checked against what the command
// will write inside. Every fault is one line naming the flag and the OS's reason.
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, rmdirSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';
import { UsageError } from './args.js';

/** Linux limits, in bytes: a whole path including its terminating NUL, and one component. */
export const PATH_MAX = 4096;
export const NAME_MAX = 255;

export interface OutputDirOptions {
  /** bytes of the longest path, relative to the folder, that the command writes inside it */
  longestEntry: number;
}

/**
 * OS refusals caused by the location the user chose (another --out works): usage errors, exit 2.
 * Anything else (ENOSPC, EDQUOT, EIO…) is the machine failing: exit 1.
 */
const LOCATION_CODES = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOENT', 'ENOTDIR', 'EEXIST', 'EISDIR', 'ELOOP', 'ENAMETOOLONG']);

const bytes = (s: string) => Buffer.byteLength(s);

/** A path short enough for one line. */
function shown(path: string): string {
  return path.length <= 120 ? path : `${path.slice(0, 48)}…${path.slice(-48)}`;
}

/** `EROFS: read-only file system` from Node's `EROFS: read-only file system, mkdir '/x'`. */
function reason(err: NodeJS.ErrnoException): string {
  return err.message.replace(/, \w+ '.*$/s, '').split('\n')[0]!;
}

function refusal(prefix: string, what: string, err: NodeJS.ErrnoException, hint = ''): Error {
  const message = `${prefix}: ${what} (${reason(err)}${hint})`;
  return err.code && LOCATION_CODES.has(err.code) ? new UsageError(message) : new Error(message);
}

/** The missing folders from the nearest existing ancestor down to `dir`, outermost first. */
function missingFolders(dir: string, prefix: string): string[] {
  const missing: string[] = [];
  for (let at = dir; ; at = dirname(at)) {
    let isFolder: boolean;
    try {
      isFolder = statSync(at).isDirectory();
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      // ENOTDIR: a component above is a file; walking up finds it
      if (e.code !== 'ENOENT' && e.code !== 'ENOTDIR') throw refusal(prefix, `cannot look at ${shown(at)}`, e);
      if (dirname(at) === at) throw refusal(prefix, 'no existing folder above it', e);
      missing.unshift(at);
      continue;
    }
    if (isFolder) return missing;
    throw new UsageError(at === dir ? `${prefix}: is a file, not a folder` : `${prefix}: ${shown(at)} is a file, not a folder`);
  }
}

function removeFolders(created: string[]): void {
  for (const dir of [...created].reverse()) {
    try {
      rmdirSync(dir);
    } catch {
      /* best effort: the folder was empty when we made it */
    }
  }
}

function writeProbe(dir: string, nameBytes: number): void {
  const stem = `.mnf-probe-${randomBytes(4).toString('hex')}`;
  const name = stem.padEnd(Math.max(stem.length, nameBytes), 'x');
  const file = `${dir}${sep}${name}`;
  const fd = openSync(file, 'wx');
  try {
    writeSync(fd, 'probe\n');
    fsyncSync(fd);
  } finally {
    closeSync(fd);
    unlinkSync(file);
  }
}

/**
 * Creates (if needed) and checks the output folder `path` given as `flag`; returns its absolute
 * path. Throws one line naming the flag: UsageError for a location that cannot hold the output
 * (a file, too long a path, a read-only or refusing file system), Error for a machine fault.
 * On failure the folders it created are removed again.
 */
export function prepareOutputDir(path: string, flag: string, { longestEntry }: OutputDirOptions): string {
  if (path === '') throw new UsageError(`${flag}: expected a folder, got ''`);
  const dir = resolve(path);
  const prefix = `${flag} ${shown(path)}`;
  const longName = dir.split(sep).find((part) => bytes(part) > NAME_MAX);
  if (longName !== undefined) {
    throw new UsageError(`${prefix}: a folder name is ${bytes(longName)} bytes long; the limit is ${NAME_MAX} (ENAMETOOLONG)`);
  }
  if (bytes(dir) + 1 + longestEntry > PATH_MAX - 1) {
    throw new UsageError(
      `${prefix}: path too long: ${bytes(dir)} bytes, plus up to ${longestEntry + 1} for the files written inside, is over the limit of ${PATH_MAX - 1} (ENAMETOOLONG)`,
    );
  }

  const created: string[] = [];
  for (const folder of missingFolders(dir, prefix)) {
    try {
      mkdirSync(folder);
      created.push(folder);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code === 'EEXIST' && statSync(folder, { throwIfNoEntry: false })?.isDirectory()) continue;
      removeFolders(created);
      // mkdir under /proc says ENOENT although the parent exists
      const hint = e.code === 'ENOENT' ? `, though ${shown(dirname(folder))} exists: its file system takes no new folders` : '';
      throw refusal(prefix, 'cannot create a folder there', e, hint);
    }
  }
  try {
    // a probe name as long as the longest entry: a file system's own, smaller limits show now
    writeProbe(dir, Math.min(longestEntry, NAME_MAX));
  } catch (err) {
    removeFolders(created);
    throw refusal(prefix, 'cannot write a file there', err as NodeJS.ErrnoException);
  }
  return dir;
}
