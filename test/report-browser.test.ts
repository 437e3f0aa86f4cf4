// The report of a tiny run, opened in headless Chromium (Debian's chromium, driven by
// playwright-core): no console errors, no request beyond the page itself, every figure present
// and drawn (marks with a non-empty box; the retrieval thumbnails decode), and PNG figures that
// are not blank.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSynthetic } from '../src/data/synthetic.js';
import { cli } from './cli-process.js';
import { decodePng, greyVariance } from './png-decode.js';

const CHROMIUM = '/usr/bin/chromium';
const FIGURES = ['losses', 'accuracy', 'gate', 'per-class', 'confusion', 'retrieval'];
const found = existsSync(CHROMIUM);

let root: string;
let report: string;
let browser: Browser | undefined;

describe.skipIf(!found)(found ? 'report.html in headless Chromium' : `report.html in headless Chromium: skipped, ${CHROMIUM} not found (Debian package chromium)`, () => {
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'mnf-report-browser-'));
    const dataset = join(root, 'dataset');
    // teacher noise, so the gate diagnostics have clean and irrelevant samples
    await makeSynthetic({ out: dataset, classes: 3, videosPerClass: 3, frames: 6, size: 16, seed: 5, valFraction: 0.34, noise: 0.5 });
    const run = join(root, 'run');
    const train = cli(['train', '--headless', '--preset', 'tiny', '--epochs', '2', '--batch', '3', '--dataset', dataset, '--out', run, '--backend', 'native']);
    expect(train.code, train.stderr).toBe(0);
    const r = cli(['report', run, '--backend', 'native']);
    expect(r.code, r.stderr).toBe(0);
    report = join(run, 'report');
    expect(r.stdout).toBe(`wrote ${join(report, 'report.html')} (${FIGURES.length} figures)\n`);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('opens without console errors or requests, every figure drawn', async () => {
    const page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('request', (r) => {
      if (!r.url().startsWith('data:')) requests.push(r.url());
    });
    const url = pathToFileURL(join(report, 'report.html')).href;
    await page.goto(url, { waitUntil: 'load' });
    expect(problems).toEqual([]);
    expect(requests).toEqual([url]);
    expect(await page.locator('.figure.skipped').count()).toBe(0);

    for (const name of FIGURES) {
      const svg = page.locator(`figure[data-figure="${name}"] > svg`);
      expect(await svg.count(), name).toBe(1);
      const box = await svg.boundingBox();
      expect(box!.width, name).toBeGreaterThan(100);
      expect(box!.height, name).toBeGreaterThan(100);
      // the figure's marks (not its axes or legends), each with a drawn area
      const marks = await svg.evaluate((el) =>
        [...el.querySelectorAll('.role-mark')].flatMap((group) =>
          [...group.querySelectorAll('path, image, text')].map((shape) => {
            const b = (shape as SVGGraphicsElement).getBBox();
            return { tag: shape.tagName, width: b.width, height: b.height };
          }),
        ),
      );
      expect(marks.length, name).toBeGreaterThan(0);
      expect(marks.filter((m) => m.width > 0 || m.height > 0).length, name).toBeGreaterThan(0);
    }

    // the retrieval thumbnails: one per query (3 classes, one query each) and per match (5), each a frame that decodes
    const thumbnails = await page.locator('figure[data-figure="retrieval"] image').evaluateAll(async (images) =>
      Promise.all(
        images.map(async (image) => {
          const img = new Image();
          img.src = image.getAttribute('href') ?? image.getAttribute('xlink:href') ?? '';
          await img.decode();
          return { width: img.naturalWidth, height: img.naturalHeight, box: (image as SVGGraphicsElement).getBBox().width };
        }),
      ),
    );
    expect(thumbnails).toHaveLength(3 * 6);
    // the generator's frames: 16 pixels high, 4/3 as wide
    for (const t of thumbnails) expect([t.height, Math.abs(t.width - 16 * (4 / 3)) <= 1, t.box > 0]).toEqual([16, true, true]);
    expect(await page.locator('figure[data-figure="retrieval"] text', { hasText: /^[✓✗] / }).count()).toBe(3 * 5);
    await page.close();
  }, 120_000);

  it('writes each figure as SVG and as a PNG that is not blank', () => {
    for (const name of FIGURES) {
      expect(readFileSync(join(report, `${name}.svg`), 'utf8'), name).toMatch(/^<svg [^>]*viewBox/);
      const png = decodePng(readFileSync(join(report, `${name}.png`)));
      expect(png.width * png.height, name).toBeGreaterThan(100_000);
      expect(greyVariance(png), name).toBeGreaterThan(50);
    }
  });
});
