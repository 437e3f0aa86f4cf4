// mnf-tui report through the command line, on hand-made run folders (report-fixture.ts): bad
// input ends in one line and exit 2; an old run, a run in progress and several runs are reported,
// the figures they lack noted in report.html.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { commonFolder } from '../src/commands/report.js';
import { cli } from './cli-process.js';
import { writeRun } from './report-fixture.js';

const root = mkdtempSync(join(tmpdir(), 'mnf-report-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function expectUsageError(r: ReturnType<typeof cli>, message: RegExp) {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr.trim()).toMatch(message);
}

describe('mnf-tui report: bad input', () => {
  const file = join(root, 'a-file');
  writeFileSync(file, 'keep me');
  const notRun = join(root, 'not-a-run');
  mkdirSync(notRun);
  const run = join(root, 'bad-input-run');
  writeRun(run, { format: 'current' });

  it.each([
    ['no run', [], /^mnf-tui: report: expected one or more run folders/],
    ['a folder that is not a run', [notRun], /^mnf-tui: report: .*not-a-run: not a run folder \(no events\.jsonl\)$/],
    ['a missing folder', [join(root, 'missing')], /^mnf-tui: report: .*missing: no such folder/],
    ['a file for --out', [run, '--out', file], /^mnf-tui: --out .*a-file: is a file, not a folder$/],
    ['an --out where no folder can be made', [run, '--out', '/proc/x'], /^mnf-tui: --out \/proc\/x: cannot create a folder there/],
    ['an unknown backend', [run, '--backend', 'gpu'], /^mnf-tui: --backend: expected one of/],
  ])('%s: one line, exit 2, nothing written', (_name, args, message) => {
    expectUsageError(cli(['report', ...args]), message);
    expect(readFileSync(file, 'utf8')).toBe('keep me');
    expect(existsSync(join(run, 'report'))).toBe(false);
    expect(readdirSync(notRun)).toEqual([]);
  }, 60_000);

  it('report --help lists its flags and RUN...', () => {
    const r = cli(['report', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^usage: mnf-tui report RUN\.\.\. \[--out DIR\] \[--backend B\]/);
  }, 30_000);
});

describe('mnf-tui report', () => {
  it('an old run in progress, without its dataset or a checkpoint: the figures it has, the others noted, exit 0', () => {
    const dir = join(root, 'old-run');
    writeRun(dir, { format: 'old', finished: false, tail: '{"type":"st' });
    const r = cli(['report', dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^wrote ${join(dir, 'report', 'report.html')} \\(4 figures; left out: confusion: .*; retrieval: .*\\)\\n$`));
    const files = readdirSync(join(dir, 'report')).sort();
    expect(files).toEqual(['accuracy', 'gate', 'losses', 'per-class'].flatMap((n) => [`${n}.png`, `${n}.svg`]).concat('report.html').sort());
    const html = readFileSync(join(dir, 'report', 'report.html'), 'utf8');
    expect(html).toContain('the last line is incomplete');
    expect(html).toMatch(/id="retrieval" class="figure skipped".*Not drawn: the run&#39;s dataset .* is not there/);
    expect(html).toMatch(/id="confusion" class="figure skipped".*Not drawn: the run has no checkpoint-last yet/);
    expect(html).not.toContain('<script');
  }, 120_000);

  it('several runs: each one’s report in RUN/report, and a comparison linking to them in --out', () => {
    const runs = ['ce', 'mnf-csc'].flatMap((method) =>
      [1, 2].map((seed) => {
        const dir = join(root, 'grid', method, `seed-${seed}`);
        writeRun(dir, { format: 'current', method, seed, top1: 0.4 + 0.1 * seed, dataset: join(root, 'data', 'synthetic-noise-0.5') });
        return dir;
      }),
    );
    const out = join(root, 'comparison');
    const r = cli(['report', ...runs, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(5);
    for (const dir of runs) expect(existsSync(join(dir, 'report', 'report.html'))).toBe(true);
    expect(readdirSync(out).sort()).toEqual(['comparison.png', 'comparison.svg', 'report.html']);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('href="../grid/ce/seed-1/report/report.html"');
    expect(html).toContain('<figure data-figure="comparison">');
  }, 180_000);

  it('the comparison goes to report/ in the folder that holds every run', () => {
    expect(commonFolder(['/a/b/c', '/a/b/d/e', '/a/b'])).toBe('/a/b');
    expect(commonFolder(['/x', '/y'])).toBe('/');
  });
});
