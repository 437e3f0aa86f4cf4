// The real binary in tmux on a tiny synthetic dataset: s starts, p pauses, r shows retrieval, q quits with 0.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');
const cli = join(root, 'dist', 'src', 'cli.js');
const hasTmux = spawnSync('sh', ['-c', 'command -v tmux'], { stdio: 'ignore' }).status === 0;
const skipReason = !hasTmux ? 'tmux is not installed' : !existsSync(cli) ? 'dist/ is not built (npm run build:ts)' : '';
if (skipReason) console.warn(`console end-to-end test skipped: ${skipReason}`);

const session = `mnf-e2e-${process.pid}`;
let dir = '';
const tmux = (...args: string[]) => execFileSync('tmux', args, { encoding: 'utf8' });
const screen = () => tmux('capture-pane', '-p', '-t', session);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(what: string, probe: () => T | undefined, seconds = 90): Promise<T> {
  const end = Date.now() + seconds * 1000;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; screen:\n${screen()}`);
    await sleep(250);
  }
}

/** The progress panel's global step count ("· 1 step", "· N steps"). */
const stepOf = (text: string): number | undefined => {
  const m = /· (\d+) steps?\b/.exec(text);
  return m ? Number(m[1]) : undefined;
};

describe.skipIf(skipReason !== '')('console end to end (tmux)', () => {
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mnf-e2e-'));
    execFileSync(process.execPath, [cli, 'data', 'make-synthetic', '--out', join(dir, 'data'), '--classes', '3', '--videos-per-class', '4',
      '--frames', '8', '--size', '24', '--seed', '1'], { stdio: 'ignore' });
    // CI=false: Ink draws only a final frame when it believes it runs in CI
    const command = `CI=false ${process.execPath} ${cli} train --preset tiny --dataset ${join(dir, 'data')} --epochs 1000 --batch 3 --out ${join(dir, 'run')}` +
      `; echo "EXIT=$?" > ${join(dir, 'exit')}; sleep 30`;
    tmux('new-session', '-d', '-s', session, '-x', '120', '-y', '45', command);
  });
  afterAll(() => {
    spawnSync('tmux', ['kill-session', '-t', session]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts, trains on s, pauses on p, shows retrieval on r and exits 0 on q', async () => {
    await waitFor('the idle console', () => (screen().includes('press s to start') ? true : undefined));
    tmux('send-keys', '-t', session, 's');
    const first = await waitFor('a first step', () => {
      const s = screen();
      const n = stepOf(s);
      return s.includes('RUNNING') && n !== undefined && n > 0 ? n : undefined;
    });
    const later = await waitFor('the step count to rise', () => {
      const n = stepOf(screen());
      return n !== undefined && n > first ? n : undefined;
    });
    expect(later).toBeGreaterThan(first);

    tmux('send-keys', '-t', session, 'p');
    await waitFor('the paused state', () => (screen().includes('PAUSED') ? true : undefined));
    const paused = stepOf(screen());
    await sleep(3000);
    expect(stepOf(screen())).toBe(paused);

    tmux('send-keys', '-t', session, 'r');
    const pane = await waitFor('retrieval results', () => {
      const s = screen();
      return /retrieval at step \d+ \(\d+ epochs? done\):/.test(s) && /1\. [✓✗] /.test(s) ? s : undefined;
    });
    expect(pane).toMatch(/mAP/);
    expect(pane).toMatch(/query 1\/\d+/);

    // the layout follows the terminal's width
    // the header row spans the width: its state word ends one column (the padding) before the edge
    const widest = (text: string) => Math.max(...text.split('\n').filter((l) => l.startsWith(' mnf-tui · ')).map((l) => [...l].length + 1));
    expect(widest(pane)).toBe(120);
    tmux('resize-window', '-t', session, '-x', '90', '-y', '45');
    await waitFor('the console to redraw at 90 columns', () => (widest(screen()) === 90 ? true : undefined));

    tmux('send-keys', '-t', session, 'q');
    await waitFor('the quit question', () => (screen().includes('quit? (y/n)') ? true : undefined));
    tmux('send-keys', '-t', session, 'y');
    const exit = await waitFor('the process to exit', () => {
      const file = join(dir, 'exit');
      return existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
    });
    expect(exit).toBe('EXIT=0');
    // quitting while training saved a checkpoint
    expect(existsSync(join(dir, 'run', 'checkpoint-last', 'manifest.json'))).toBe(true);
  }, 240_000);
});
