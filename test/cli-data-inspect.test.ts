// `data inspect` exits 1 when errors leave videos out (0 only when every listed video is usable).
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSynthetic } from '../src/data/synthetic.js';
import { cli } from './cli-process.js';

let root: string;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'mnf-inspect-'));
  await makeSynthetic({ out: join(root, 'ds'), classes: 2, videosPerClass: 2, frames: 2, size: 16 });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('mnf-tui data inspect', () => {
  it('exits 0 on a dataset without errors, and 1 (one closing line) when a missing teacher feature leaves a video out', () => {
    const dataset = join(root, 'ds');
    const clean = cli(['data', 'inspect', '--dataset', dataset, '--json']);
    expect(clean.code, clean.stderr).toBe(0);
    expect(JSON.parse(clean.stdout)).toMatchObject({ usable: 4, skipped: 0 });

    const features = join(dataset, 'audio_features');
    rmSync(join(features, readdirSync(features)[0]!));
    for (const json of [true, false]) {
      const r = cli(['data', 'inspect', '--dataset', dataset, ...(json ? ['--json'] : [])]);
      expect(r.code).toBe(1);
      if (json) expect(JSON.parse(r.stdout)).toMatchObject({ usable: 3, skipped: 1 });
      expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^mnf-tui: .*ds: 1 video left out \(1 error listed above\)$/)]);
    }
  }, 60_000);
});
