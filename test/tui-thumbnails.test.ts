// Thumbnails for the retrieval pane: decoded by the engine from the dataset (one frame a video),
// carried by the retrieval event to the console only, drawn there in half blocks.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WriteStream } from 'node:tty';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VideoRecord } from '../src/data/types.js';
import { retrievalVideos, ThumbnailSource, withoutThumbnails } from '../src/eval/thumbnails.js';
import { writeVideo } from '../src/native/decode.js';
import { defaultSetup } from '../src/train/engine-setup.js';
import type { EngineEvent, RetrievalEvent, RetrievalQuery } from '../src/train/events.js';
import { startEngineInProcess } from '../src/train/in-process.js';
import { colourDepthOf, halfBlock } from '../src/tui/colour.js';
import { thumbnailRows } from '../src/tui/thumbnail.js';
import { record, tinyWorld, type TinyWorld } from './engine-fixture.js';

const record1 = (id: string, subset: VideoRecord['subset'], over: Partial<VideoRecord> = {}): VideoRecord => ({
  id,
  label: 0,
  className: 'walk',
  subset,
  frameCount: 3,
  videoPath: `/data/${id}.hdf5`,
  teacherPath: `/data/${id}.npy`,
  width: 16,
  height: 12,
  ...over,
});

describe('half-block drawing', () => {
  it('one cell shows two pixels of a column: the upper in the foreground, the lower in the background', () => {
    // 2×2 pixels: red over blue, green over white
    const bytes = Buffer.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255]);
    const rows = thumbnailRows(bytes.toString('base64'), 2, 'truecolor');
    expect(rows).toEqual(['\u001B[38;2;255;0;0;48;2;0;0;255m▀\u001B[38;2;0;255;0;48;2;255;255;255m▀\u001B[39;49m']);
  });

  it('an odd last row keeps the terminal background under its pixels', () => {
    const bytes = Buffer.alloc(3 * 3 * 3, 10);
    const rows = thumbnailRows(bytes.toString('base64'), 3, 'truecolor')!;
    expect(rows).toHaveLength(2);
    expect(rows[1]).toBe(`${'\u001B[38;2;10;10;10;49m▀'.repeat(3)}\u001B[39;49m`);
  });

  it('256-colour terminals get the nearest colour of the 6×6×6 cube', () => {
    expect(halfBlock([255, 0, 0], [0, 0, 255], '256')).toBe('\u001B[38;5;196;48;5;21m▀');
  });

  it('bytes that do not fit the size draw nothing', () => {
    expect(thumbnailRows(Buffer.alloc(5).toString('base64'), 2, 'truecolor')).toBeNull();
  });

  it('colour depth follows the terminal and NO_COLOR, FORCE_COLOR, COLORTERM; none when the stream is not a terminal', () => {
    const tty = (bits: number) => ({ isTTY: true, getColorDepth: () => bits });
    expect(colourDepthOf(tty(24))).toBe('truecolor');
    expect(colourDepthOf(tty(8))).toBe('256');
    expect(colourDepthOf(tty(4))).toBe('none');
    expect(colourDepthOf({ isTTY: false, getColorDepth: () => 24 })).toBe('none');
    // Node's own rules read the environment
    const stream = { isTTY: true, getColorDepth: (env?: object) => WriteStream.prototype.getColorDepth.call({}, env) };
    expect(colourDepthOf(stream, { TERM: 'xterm-256color' })).toBe('256');
    // COLORTERM says 24-bit even where Node would rank TERM first (tmux-256color inside tmux)
    expect(colourDepthOf(stream, { TERM: 'tmux-256color', COLORTERM: 'truecolor' })).toBe('truecolor');
    expect(colourDepthOf(stream, { TERM: 'xterm-256color', COLORTERM: 'truecolor', NO_COLOR: '1' })).toBe('none');
    expect(colourDepthOf(stream, { TERM: 'xterm-256color', FORCE_COLOR: '0' })).toBe('none');
    expect(colourDepthOf(stream, { TERM: 'dumb', FORCE_COLOR: '3' })).toBe('truecolor');
    expect(colourDepthOf(stream, { TERM: 'dumb' })).toBe('none');
  });
});

describe('which videos a retrieval shows', () => {
  it('every query and its matches, each once, in order; ids the data does not hold are left out', () => {
    const queries = [record1('q1', 'validation'), record1('q2', 'validation')];
    const gallery = [record1('g1', 'training'), record1('g2', 'training'), record1('g3', 'training')];
    const hit = (id: string) => ({ id, label: 0, className: 'walk', score: 0.5 });
    const results: RetrievalQuery[] = [
      { id: 'q1', label: 0, className: 'walk', top: [hit('g2'), hit('g1')] },
      { id: 'q2', label: 0, className: 'walk', top: [hit('g1'), hit('gone'), hit('g3')] },
    ];
    expect(retrievalVideos(results, queries, gallery).map((r) => r.id)).toEqual(['q1', 'g2', 'g1', 'q2', 'g3']);
  });

  it('events.jsonl stores a retrieval event without its thumbnails; other events unchanged', () => {
    const event = { type: 'retrieval', results: [], thumbnails: { size: 8, rgb: { a: 'AAAA' } } } as unknown as RetrievalEvent;
    expect(withoutThumbnails(event)).not.toHaveProperty('thumbnails');
    expect(withoutThumbnails(event)).toMatchObject({ type: 'retrieval', results: [] });
    const state: EngineEvent = { type: 'state', state: 'idle', previous: 'idle', time: 1 };
    expect(withoutThumbnails(state)).toBe(state);
  });
});

describe('thumbnail source', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mnf-thumbs-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** 3 frames of 16×12: green, then red over blue (the middle one), then green. */
  async function writeMarkedVideo(path: string) {
    const W = 16;
    const H = 12;
    const rgb = new Uint8Array(3 * H * W * 3);
    for (let f = 0; f < 3; f++) {
      for (let y = 0; y < H; y++) {
        for (let x = 0; x < W; x++) {
          const i = ((f * H + y) * W + x) * 3;
          const colour = f !== 1 ? [0, 200, 0] : y < H / 2 ? [220, 0, 0] : [0, 0, 220];
          rgb.set(colour, i);
        }
      }
    }
    await writeVideo(path, rgb, [3, H, W], 95);
  }

  it('decodes the middle frame, resized to size × size pixels of RGB', async () => {
    const path = join(dir, 'marked.hdf5');
    await writeMarkedVideo(path);
    const source = new ThumbnailSource(4);
    const thumbnails = await source.of([record1('v1', 'training', { videoPath: path })]);
    expect(thumbnails.size).toBe(4);
    const px = Buffer.from(thumbnails.rgb.v1!, 'base64');
    expect(px).toHaveLength(4 * 4 * 3);
    const at = (x: number, y: number) => Array.from(px.subarray((y * 4 + x) * 3, (y * 4 + x) * 3 + 3));
    // top rows red, bottom rows blue (JPEG leaves a little error); not the green of the other frames
    for (const x of [0, 3]) {
      const [r, g, b] = at(x, 0);
      expect(r).toBeGreaterThan(170);
      expect(g).toBeLessThan(60);
      expect(b).toBeLessThan(60);
      const [r2, g2, b2] = at(x, 3);
      expect(b2).toBeGreaterThan(170);
      expect(r2).toBeLessThan(60);
      expect(g2).toBeLessThan(60);
    }
  });

  it('decodes each video once; one that does not decode is left out', async () => {
    const path = join(dir, 'once.hdf5');
    await writeMarkedVideo(path);
    const source = new ThumbnailSource(4);
    const first = await source.of([record1('v1', 'training', { videoPath: path })]);
    rmSync(path);
    const broken = record1('v2', 'training', { videoPath: join(dir, 'missing.hdf5') });
    const second = await source.of([record1('v1', 'training', { videoPath: path }), broken]);
    expect(second.rgb.v1).toBe(first.rgb.v1);
    expect(Object.keys(second.rgb)).toEqual(['v1']);
  });

  it('rejects a size it cannot draw', () => {
    expect(() => new ThumbnailSource(0)).toThrow(/thumbnail size: expected an integer in 1\.\.64, got 0/);
  });
});

describe('the engine sends thumbnails only when asked, and never to events.jsonl', () => {
  let world: TinyWorld;
  beforeAll(async () => {
    world = await tinyWorld();
  });
  afterAll(() => world?.cleanup());

  it('a console run: every query and match has a thumbnail in the event; the file has none', async () => {
    const out = join(world.root, 'with-thumbnails');
    const handle = startEngineInProcess(world.config({ epochs: 1 }), { out, backend: 'native', autoStart: true, thumbnailSize: 8 }, defaultSetup());
    const events = record(handle);
    expect((await handle.done).error).toBeNull();
    const retrieval = events.find((e): e is RetrievalEvent => e.type === 'retrieval')!;
    expect(retrieval.thumbnails?.size).toBe(8);
    const ids = retrieval.results.flatMap((q) => [q.id, ...q.top.map((h) => h.id)]);
    for (const id of ids) expect(Buffer.from(retrieval.thumbnails!.rgb[id]!, 'base64')).toHaveLength(8 * 8 * 3);
    const stored = readFileSync(join(out, 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as EngineEvent);
    const storedRetrieval = stored.find((e) => e.type === 'retrieval')!;
    expect(storedRetrieval).not.toHaveProperty('thumbnails');
    expect(storedRetrieval).toMatchObject({ results: retrieval.results });
  }, 120_000);

  it('a headless run (no thumbnail size): the event has none', async () => {
    const handle = startEngineInProcess(world.config({ epochs: 1 }), { out: null, backend: 'native', autoStart: true }, defaultSetup());
    const events = record(handle);
    expect((await handle.done).error).toBeNull();
    expect(events.find((e) => e.type === 'retrieval')).not.toHaveProperty('thumbnails');
  }, 120_000);
});
