// What a training command may do with its run folder: a fresh run takes only a folder that holds
// no run (or replaces one on purpose, --overwrite); a resumed run continues in its own folder or
// copies it into a new one, never mixing two runs. Every case holds the folder's lock (run-lock.ts).
import { cpSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { verifyCheckpoint } from './checkpoint.js';
import { RUN_ENTRIES } from './run-folder.js';
import { describeHolder, lockHolder, RunFolderBusyError, RunLock } from './run-lock.js';


export class RunFolderTakenError extends Error {
  override name = 'RunFolderTakenError';
}

/** The run entries `dir` holds (none when it is missing or empty). */
export function runEntriesIn(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const present = new Set(readdirSync(dir));
  return RUN_ENTRIES.filter((e) => present.has(e));
}

/** The run folder a checkpoint belongs to (`RUN/checkpoint-last` → RUN), or null for a bare checkpoint. */
export function runFolderOf(checkpoint: string): string | null {
  const parent = dirname(resolve(checkpoint));
  return basename(checkpoint).startsWith('checkpoint-') && existsSync(join(parent, 'config.json')) ? parent : null;
}

export interface ClaimedRunFolder {
  /** the folder the run writes */
  out: string;
  /** the checkpoint the engine resumes from (inside `out` when the run was copied), if resuming */
  resume?: string;
  lock: RunLock;
}

function claimFresh(out: string, overwrite: boolean, flag: string): RunLock {
  const lock = RunLock.acquire(out, `${flag} ${out}`);
  const entries = runEntriesIn(out);
  if (entries.length > 0) {
    if (!overwrite) {
      lock.release();
      const resumable = entries.includes('checkpoint-last');
      throw new RunFolderTakenError(
        `${flag} ${out}: the folder holds a run (${entries.join(', ')}); ` +
          (resumable ? `continue it with --resume ${out}, choose another ${flag}, or add --overwrite to replace it` : `it has no checkpoint to resume; choose another ${flag}, or add --overwrite to replace it`),
      );
    }
    for (const entry of entries) rmSync(join(out, entry), { recursive: true, force: true });
  }
  return lock;
}

/** A fresh run into `out` (which exists: see prepareOutputDir). */
export function claimForFreshRun(out: string, options: { overwrite: boolean }): ClaimedRunFolder {
  const dir = resolve(out);
  return { out: dir, lock: claimFresh(dir, options.overwrite, '--out') };
}

/**
 * A run resumed from `checkpoint` into `out`: in place when `out` is the checkpoint's own run
 * folder; otherwise `out` must hold no run (or --overwrite) and receives a copy of the source run
 * (its events, its best checkpoint, the checkpoint resumed from as checkpoint-last), which stays
 * as it was.
 */
export function claimForResume(checkpoint: string, out: string, options: { overwrite: boolean }): ClaimedRunFolder {
  const source = runFolderOf(checkpoint);
  const dir = resolve(out);
  if (source) {
    const holder = lockHolder(source);
    if (holder && source !== dir) throw new RunFolderBusyError(`--resume ${checkpoint}: the run is still training (${describeHolder(holder)}); stop it first`);
  }
  if (source === dir) return { out: dir, resume: checkpoint, lock: RunLock.acquire(dir, `--resume ${checkpoint}`) };
  // a damaged checkpoint is named where the user pointed, not under the copy's path
  verifyCheckpoint(checkpoint);
  const lock = claimFresh(dir, options.overwrite, '--out');
  try {
    if (source) {
      for (const entry of ['config.json', 'events.jsonl', 'checkpoint-best'] as const) {
        if (existsSync(join(source, entry))) cpSync(join(source, entry), join(dir, entry), { recursive: true });
      }
    }
    const copied = join(dir, 'checkpoint-last');
    rmSync(copied, { recursive: true, force: true });
    cpSync(checkpoint, copied, { recursive: true });
    return { out: dir, resume: copied, lock };
  } catch (err) {
    lock.release();
    throw err;
  }
}
