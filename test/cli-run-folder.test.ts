// Issue 11, faults 4 and 5: a run folder that holds a run is never overwritten by accident, two
// runs never share a folder, resuming into another folder copies, and settings that leave an
// epoch without a batch are refused before anything is written.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, startCli } from './cli-process.js';
import { tinyWorld, type TinyWorld } from './engine-fixture.js';

let world: TinyWorld;
beforeAll(async () => {
  world = await tinyWorld();
});
afterAll(() => world?.cleanup());

const train = (out: string, ...more: string[]) =>
  cli(['train', '--headless', '--preset', 'tiny', '--epochs', '1', '--batch', '3', '--dataset', world.dataset, '--out', out, '--backend', 'native', ...more]);

/** Every file under `dir` with its bytes, to show nothing changed. */
function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else files[p.slice(dir.length)] = readFileSync(p).toString('base64');
    }
  };
  walk(dir);
  return files;
}

const runsIn = (dir: string) =>
  readFileSync(join(dir, 'events.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .filter((l) => JSON.parse(l).type === 'run').length;

describe('run folders are protected', () => {
  it('a fresh run refuses a folder that holds a run (exit 2, one line, nothing changed); --overwrite replaces it', () => {
    const out = join(world.root, 'taken');
    expect(train(out).code).toBe(0);
    const before = snapshot(out);
    const again = train(out);
    expect(again.code).toBe(2);
    expect(again.stderr.trim().split('\n')).toHaveLength(1);
    expect(again.stderr).toMatch(/--out .*taken: the folder holds a run \(config\.json, events\.jsonl, results\.json, checkpoint-last, checkpoint-best\); continue it with --resume .*--overwrite/);
    expect(snapshot(out)).toEqual(before);

    const replaced = train(out, '--overwrite');
    expect(replaced.code, replaced.stderr).toBe(0);
    expect(runsIn(out)).toBe(1);
  }, 240_000);

  it('a folder in use by a live run is refused at once, naming the holder; a stale lock (dead process) is taken over', () => {
    const busy = join(world.root, 'busy');
    mkdirSync(busy, { recursive: true });
    // this test process is alive: its lock is held
    writeFileSync(join(busy, 'run.lock'), JSON.stringify({ pid: process.pid, host: hostname(), since: '2026-01-01T00:00:00Z' }));
    const r = train(busy);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`in use by another mnf-tui run (pid ${process.pid}, since 2026-01-01T00:00:00Z)`);
    expect(readdirSync(busy)).toEqual(['run.lock']);

    const stale = join(world.root, 'stale');
    mkdirSync(stale, { recursive: true });
    const ended = spawnSync('true').pid; // a process that has ended
    writeFileSync(join(stale, 'run.lock'), JSON.stringify({ pid: ended, host: hostname(), since: '2026-01-01T00:00:00Z' }));
    const s = train(stale);
    expect(s.code, s.stderr).toBe(0);
    expect(existsSync(join(stale, 'run.lock'))).toBe(false);
  }, 240_000);

  it('two trainings into one folder at once: the second fails naming the first one\'s pid; the folder holds one run', async () => {
    const out = join(world.root, 'twice');
    const first = startCli(['train', '--headless', '--preset', 'tiny', '--epochs', '40', '--batch', '3', '--dataset', world.dataset, '--out', out, '--backend', 'native']);
    await first.waitForEvent((e) => e.type === 'step');
    const second = train(out);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`in use by another mnf-tui run (pid ${first.child.pid},`);
    first.child.kill('SIGINT');
    expect(await first.exit).toBe(130);
    expect(runsIn(out)).toBe(1);
    expect(existsSync(join(out, 'run.lock'))).toBe(false);
  }, 240_000);

  it('--resume A --out B copies A into B and continues there; A stays as it was; B holding a run is refused', () => {
    const a = join(world.root, 'source');
    expect(train(a).code).toBe(0);
    const before = snapshot(a);
    const b = join(world.root, 'copy');
    const r = cli(['train', '--headless', '--resume', a, '--epochs', '2', '--out', b, '--backend', 'native']);
    expect(r.code, r.stderr).toBe(0);
    expect(snapshot(a)).toEqual(before);
    // B holds A's history and its continuation
    expect(runsIn(b)).toBe(2);
    expect(JSON.parse(readFileSync(join(b, 'results.json'), 'utf8'))).toMatchObject({ epochs: 2, steps: 4 });

    const c = join(world.root, 'other');
    expect(train(c).code).toBe(0);
    const cBefore = snapshot(c);
    const refused = cli(['train', '--headless', '--resume', a, '--epochs', '2', '--out', c, '--backend', 'native']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--out .*other: the folder holds a run/);
    expect(snapshot(c)).toEqual(cBefore);
  }, 240_000);
});

describe('settings that leave an epoch without a usable batch are usage errors, refused before anything is written', () => {
  it('--batch 7 with 6 training videos: exit 2, one line naming --batch, no run folder', () => {
    const out = join(world.root, 'too-big');
    const r = train(out, '--batch', '7');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--batch 7: dataset .* has 6 usable training videos, fewer than one batch; lower --batch/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(out)).toBe(false);
  }, 120_000);

  it('--batch 1: exit 2 before anything is written', () => {
    const out = join(world.root, 'batch-one');
    const r = train(out, '--batch', '1');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--batch/);
    expect(existsSync(out)).toBe(false);
  }, 120_000);
});
