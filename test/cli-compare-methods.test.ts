import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runProcess } from './run-process.js';

const root = join(__dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'mnf-compare-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function compare(extra: string[] = []) {
  const args = ['scripts/compare-methods.mjs', '--methods', 'ce,mnf-csc', '--noise', '0', '--seeds', '1', '--epochs', '1', '--classes', '3', '--videos-per-class', '4', '--frames', '6', '--size', '16', '--semi-real', 'off', '--work', join(work, 'grid'), '--results', join(work, 'results.md'), ...extra];
  return runProcess(process.execPath, args, { cwd: root, timeout: 170_000 });
}

describe('scripts/compare-methods.mjs', () => {
  it('trains the grid through headless runs, writes the table, and reuses finished runs', async () => {
    const first = await compare();
    expect(first.stderr).toMatch(/train runs\/synthetic-noise-0\/ce\/seed-1/);
    expect(first.status).toBe(0);
    const md = readFileSync(join(work, 'results.md'), 'utf8');
    expect(md).toMatch(/CPU smoke run/);
    expect(md).toContain('node scripts/compare-methods.mjs --methods ce,mnf-csc');
    const rows = md.split('\n').filter((l) => l.startsWith('| synthetic |'));
    expect(rows.map((r) => r.split('|')[3].trim())).toEqual(['ce', 'mnf-csc']);
    // top-1, mAP@K (seed), mAP (standard) as mean ± std in %
    for (const row of rows) expect(row).toMatch(/\| \d+\.\d ± \d+\.\d \| \d+\.\d ± \d+\.\d \| \d+\.\d ± \d+\.\d \|/);

    // each row links its runs' reports, which exist, and the grid's comparison report
    expect(rows[0]).toContain('[seed 1](grid/runs/synthetic-noise-0/ce/seed-1/report/report.html)');
    expect(existsSync(join(work, 'grid', 'runs', 'synthetic-noise-0', 'ce', 'seed-1', 'report', 'report.html'))).toBe(true);
    expect(existsSync(join(work, 'grid', 'report', 'report.html'))).toBe(true);

    // a section another script wrote between its markers survives the rewrite
    appendFileSync(join(work, 'results.md'), '\n<!-- other:start -->\nkept text\n<!-- other:end -->\n');
    const again = await compare();
    expect(again.status).toBe(0);
    expect(again.stderr).not.toMatch(/^train /m);
    expect(readFileSync(join(work, 'results.md'), 'utf8')).toContain('<!-- other:start -->\nkept text\n<!-- other:end -->');
  }, 180_000);

  it('rejects an unknown method in one line', async () => {
    const r = await compare(['--methods', 'ce,magic']);
    expect(r.status).not.toBe(0);
    expect(r.stderr.trim()).toBe("compare-methods: --methods: cannot read 'magic'");
  });
});
