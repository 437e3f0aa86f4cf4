// The console in a real terminal: tmux at 80×24 with 24-bit colour, a tiny run trained to its final
// retrieval. The frame fits (the header on the first row, the key bar on the last), and the
// retrieval pane draws its thumbnails in half blocks with 24-bit colour escapes (capture-pane -e).
// Runs the CLI from source (tsx), so it needs no dist/; its own tmux server (-L) leaves others alone.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');
const cli = ['--import', 'tsx', join(root, 'src', 'cli.ts')];
const hasTmux = spawnSync('sh', ['-c', 'command -v tmux'], { stdio: 'ignore' }).status === 0;
if (!hasTmux) console.warn('console tmux test skipped: tmux is not installed');

const COLUMNS = 80;
const ROWS = 24;
const socket = `mnf-tmux-${process.pid}`;
const session = 'console';
let dir = '';
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
const capture = (escapes = false) => tmux('capture-pane', '-p', ...(escapes ? ['-e'] : []), '-t', session);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const stripEscapes = (text: string) => text.replace(/\u001B\[[0-9;:]*m/g, '');

async function waitFor<T>(what: string, probe: (screen: string) => T | undefined, seconds = 180): Promise<T> {
  const end = Date.now() + seconds * 1000;
  for (;;) {
    const screen = capture();
    const value = probe(screen);
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; screen:\n${screen}`);
    await sleep(250);
  }
}

describe.skipIf(!hasTmux)('console in tmux at 80×24 with 24-bit colour', () => {
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mnf-tmux-'));
    execFileSync(process.execPath, [...cli, 'data', 'make-synthetic', '--out', join(dir, 'data'), '--classes', '3', '--videos-per-class', '4',
      '--frames', '8', '--size', '24', '--seed', '1'], { stdio: 'ignore', cwd: root });
    // CI=false: Ink draws only a final frame when it believes it runs in CI; COLORTERM (and no NO_COLOR or
    // FORCE_COLOR from the test runner): the terminal shows 24-bit colour
    const command = `cd ${root} && env -u NO_COLOR -u FORCE_COLOR CI=false COLORTERM=truecolor ${process.execPath} ${cli.join(' ')} train --preset tiny --dataset ${join(dir, 'data')}` +
      ` --epochs 1 --batch 3 --out ${join(dir, 'run')}; echo "EXIT=$?" > ${join(dir, 'exit')}; sleep 30`;
    tmux('new-session', '-d', '-s', session, '-x', String(COLUMNS), '-y', String(ROWS), command);
  });
  afterAll(() => {
    spawnSync('tmux', ['-L', socket, 'kill-server']);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('trains to the final retrieval; the pane fits 80×24 and draws thumbnails in 24-bit colour', async () => {
    expect(tmux('display-message', '-p', '-t', session, '#{window_width}x#{window_height}').trim()).toBe(`${COLUMNS}x${ROWS}`);
    await waitFor('the idle console', (s) => (s.includes('press s to start') ? true : undefined));
    tmux('send-keys', '-t', session, 's');
    await waitFor('the run to finish (final test and retrieval)', (s) => (/ DONE\s*$/m.test(s) ? true : undefined));
    tmux('send-keys', '-t', session, 'Tab');
    await waitFor('the retrieval pane with pictures', (s) => (/1\. [✓✗] /.test(s) && s.includes('▀') ? true : undefined), 60);

    const plain = capture().replace(/\n$/, '').split('\n');
    expect(plain.length).toBeLessThanOrEqual(ROWS);
    for (const line of plain) expect([...line].length, line).toBeLessThanOrEqual(COLUMNS);
    expect(plain[0]).toMatch(/^ mnf-tui · .* DONE$/);
    expect(plain.join('\n')).toMatch(/retrieval at step \d+ \(1 epoch done\):/);
    expect(plain.filter((l) => l.trim() !== '').at(-1)).toMatch(/q quit/);

    const coloured = capture(true).split('\n');
    const pictureRows = coloured.filter((line) => line.includes('▀'));
    // one thumbnail is 8 pixels tall: 4 rows of half blocks
    expect(pictureRows).toHaveLength(4);
    for (const row of pictureRows) {
      expect(row).toMatch(/\u001B\[(?:[0-9;]*;)?38;2;\d+;\d+;\d+[;m]/);
      expect(row).toMatch(/\u001B\[(?:[0-9;]*;)?48;2;\d+;\d+;\d+[;m]/);
      // the query and its matches side by side: at least two pictures of 8 cells
      expect([...stripEscapes(row)].filter((c) => c === '▀').length).toBeGreaterThanOrEqual(16);
    }

    tmux('send-keys', '-t', session, 'q');
    const exit = await waitFor('the process to exit', () => {
      const file = join(dir, 'exit');
      return existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
    }, 60);
    expect(exit).toBe('EXIT=0');
  }, 420_000);
});
