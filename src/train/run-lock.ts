// An exclusive lock on a run folder: `run.lock` created with O_EXCL, holding the owner's pid and
// host. A second process fails at once, naming the holder; a lock whose process is gone (killed)
// is stale and taken over.
import { hostname } from 'node:os';
import { join } from 'node:path';
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';

export const LOCK_FILE = 'run.lock';

interface LockOwner {
  pid: number;
  host: string;
  since: string;
}

export class RunFolderBusyError extends Error {
  override name = 'RunFolderBusyError';
}

function readOwner(path: string): LockOwner | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LockOwner;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  return !zombie(pid);
}

/**
 * A process that ended but was not reaped (its parent died, and the container's init does not reap:
 * mpirun's ranks after a failed job) still answers kill(pid, 0). Linux's /proc says so: state Z.
 */
function zombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return false;
  }
}

/** The live process holding `dir`'s lock, or null when it is free (no lock, or a stale one). */
export function lockHolder(dir: string): LockOwner | null {
  const owner = readOwner(join(dir, LOCK_FILE));
  if (!owner) return null;
  // another host's pid cannot be checked from here: its lock stands
  if (owner.host !== hostname()) return owner;
  return owner.pid !== process.pid && alive(owner.pid) ? owner : null;
}

export function describeHolder(owner: LockOwner): string {
  return `pid ${owner.pid}${owner.host !== hostname() ? ` on ${owner.host}` : ''}, since ${owner.since}`;
}

/** lock files this process holds (a lock naming this pid but not in here is a stale one whose pid was reused) */
const heldHere = new Set<string>();

export class RunLock {
  private released = false;
  private readonly onExit = () => this.release();

  private constructor(readonly path: string) {
    heldHere.add(path);
    process.once('exit', this.onExit);
  }

  /** Takes `dir`'s lock or throws RunFolderBusyError naming its holder; `what` names the folder (a flag). */
  static acquire(dir: string, what: string): RunLock {
    const path = join(dir, LOCK_FILE);
    if (heldHere.has(path)) throw new RunFolderBusyError(`${what}: the run folder is in use by another run of this process (pid ${process.pid})`);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(path, 'wx');
        try {
          writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() } satisfies LockOwner) + '\n');
        } finally {
          closeSync(fd);
        }
        return new RunLock(path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const holder = lockHolder(dir);
        if (holder) throw new RunFolderBusyError(`${what}: the run folder is in use by another mnf-tui run (${describeHolder(holder)}); wait for it to end or choose another folder`);
        rmSync(path, { force: true }); // stale: its process is gone
      }
    }
    throw new RunFolderBusyError(`${what}: could not take the run folder's lock ${path} (another process keeps taking it)`);
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    heldHere.delete(this.path);
    process.off('exit', this.onExit);
    const owner = readOwner(this.path);
    if (owner?.pid === process.pid) rmSync(this.path, { force: true });
  }
}
