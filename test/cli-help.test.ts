// --version and --help: every command's page lists its own flags with their defaults, taken from
// the code (the default preset's values, the checkpoint's retrievalK).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { INGEST_FLAGS, TRAIN_FLAGS } from '../src/commands/help.js';
import { DEFAULT_PRESET, resolveConfig } from '../src/config/presets.js';
import { cli, ROOT } from './cli-process.js';

/** The page's line for a flag (with its wrapped continuation). */
function flagLine(page: string, flag: string): string {
  const lines = page.split('\n');
  const at = lines.findIndex((l) => l.trimStart().startsWith(`${flag} `) || l.trim() === flag);
  expect(at, `${flag} in\n${page}`).toBeGreaterThanOrEqual(0);
  let text = lines[at]!;
  for (let i = at + 1; i < lines.length && /^ {6,}\S/.test(lines[i]!) && !lines[i]!.trimStart().startsWith('--'); i++) text += ' ' + lines[i]!.trim();
  return text.replace(/\s+/g, ' ');
}

describe('mnf-tui --version', () => {
  it("prints package.json's version", () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const r = cli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${version}\n`);
  }, 30_000);
});

describe('--help', () => {
  it("train --help shows train's flags with the default preset's values, and --overwrite", () => {
    const r = cli(['train', '--help']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^usage: mnf-tui train /);
    for (const flag of Object.keys(TRAIN_FLAGS)) flagLine(r.stdout, `--${flag}`);
    const defaults = resolveConfig(DEFAULT_PRESET);
    expect(flagLine(r.stdout, '--batch')).toContain(`${defaults.batch} for ${DEFAULT_PRESET}`);
    expect(flagLine(r.stdout, '--epochs')).toContain(`${defaults.epochs} for ${DEFAULT_PRESET}`);
    expect(flagLine(r.stdout, '--overwrite')).toContain('replace a run folder that already holds a run');
    // `mnf-tui help train` is the same page
    expect(cli(['help', 'train']).stdout).toBe(r.stdout);
  }, 30_000);

  it("retrieve --help says --k defaults to the checkpoint's retrievalK, not 500", () => {
    const r = cli(['retrieve', '--help']);
    expect(r.code).toBe(0);
    const k = flagLine(r.stdout, '--k N');
    expect(k).toContain("default: the checkpoint's retrievalK");
    expect(k).toContain(`${DEFAULT_PRESET} ${resolveConfig(DEFAULT_PRESET).retrievalK}`);
  }, 30_000);

  it('data ingest --help lists its own flags, not the global usage', () => {
    const r = cli(['data', 'ingest', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^usage: mnf-tui data ingest --videos DIR --out DIR /);
    for (const flag of Object.keys(INGEST_FLAGS)) flagLine(r.stdout, `--${flag}`);
    expect(r.stdout).not.toContain('--preset');
  }, 30_000);

  it('--help wins over other flags, even bad ones, and exits 0', () => {
    const r = cli(['eval', '--bogus', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^usage: mnf-tui eval --checkpoint DIR/);
  }, 30_000);

  it('mnf-tui --help lists every command', () => {
    const r = cli(['--help']);
    expect(r.code).toBe(0);
    for (const command of ['train', 'eval', 'retrieve', 'data make-synthetic', 'data ingest', 'data inspect', 'bench', 'doctor']) {
      expect(r.stdout).toContain(`mnf-tui ${command} `);
    }
  }, 30_000);
});
