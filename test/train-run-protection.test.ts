// The run-folder rules without a training run: what a fresh run may take, what it says otherwise.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { claimForFreshRun, RunFolderTakenError, runEntriesIn } from '../src/train/run-protection.js';
import { RunLock } from '../src/train/run-lock.js';

const root = mkdtempSync(join(tmpdir(), 'mnf-protect-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function folder(name: string, entries: string[]): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  for (const e of entries) {
    if (e.startsWith('checkpoint-')) mkdirSync(join(dir, e));
    else writeFileSync(join(dir, e), '{}');
  }
  return dir;
}

describe('claimForFreshRun', () => {
  it('takes an empty folder, or one with other files, and holds its lock until released', () => {
    const dir = folder('empty', ['notes.txt']);
    const claim = claimForFreshRun(dir, { overwrite: false });
    expect(existsSync(join(dir, 'run.lock'))).toBe(true);
    expect(() => RunLock.acquire(dir, '--out')).toThrow(`in use by another run of this process (pid ${process.pid})`);
    claim.lock.release();
    expect(readdirSync(dir)).toEqual(['notes.txt']);
  });

  it('a lock naming this pid that this process does not hold (a killed run whose pid was reused) is stale', () => {
    const dir = folder('reused-pid', []);
    writeFileSync(join(dir, 'run.lock'), JSON.stringify({ pid: process.pid, host: hostname(), since: '2026-01-01T00:00:00Z' }));
    const claim = claimForFreshRun(dir, { overwrite: false });
    claim.lock.release();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses a run with a checkpoint, suggesting --resume; one stopped before any checkpoint, suggesting --overwrite only', () => {
    const resumable = folder('resumable', ['config.json', 'events.jsonl', 'checkpoint-last']);
    expect(() => claimForFreshRun(resumable, { overwrite: false })).toThrow(/holds a run \(config\.json, events\.jsonl, checkpoint-last\); continue it with --resume/);
    const early = folder('early', ['config.json', 'events.jsonl', 'results.json']);
    let error: Error | null = null;
    try {
      claimForFreshRun(early, { overwrite: false });
    } catch (err) {
      error = err as Error;
    }
    expect(error).toBeInstanceOf(RunFolderTakenError);
    expect(error!.message).toMatch(/it has no checkpoint to resume; choose another --out, or add --overwrite/);
    expect(error!.message).not.toMatch(/--resume/);
    // refused: the lock is released and nothing was removed
    expect(readdirSync(early).sort()).toEqual(['config.json', 'events.jsonl', 'results.json']);
  });

  it('--overwrite removes the run\'s entries and nothing else', () => {
    const dir = folder('replace', ['config.json', 'events.jsonl', 'results.json', 'checkpoint-last', 'checkpoint-best', 'notes.txt']);
    const claim = claimForFreshRun(dir, { overwrite: true });
    expect(runEntriesIn(dir)).toEqual([]);
    claim.lock.release();
    expect(readdirSync(dir)).toEqual(['notes.txt']);
  });
});
