// MNF_DECODE_THREADS sets how many threads decode (the pool's; callers of decodeClips only wait).
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { describe, expect, it } from 'vitest';
import { addonPath } from '../src/native/addon.js';

function threadsWith(env: Record<string, string | undefined>): number {
  const r = spawnSync(process.execPath, ['-e', `process.stdout.write(String(require(${JSON.stringify(addonPath())}).decodeThreads()))`], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  if (r.status !== 0) throw new Error(r.stderr);
  return Number(r.stdout);
}

describe('decode thread count', () => {
  it('is MNF_DECODE_THREADS when set, else one per hardware thread', () => {
    expect(threadsWith({ MNF_DECODE_THREADS: '1' })).toBe(1);
    expect(threadsWith({ MNF_DECODE_THREADS: '3' })).toBe(3);
    expect(threadsWith({ MNF_DECODE_THREADS: undefined })).toBe(cpus().length);
  });
});
