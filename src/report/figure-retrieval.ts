// Retrieval examples from the last retrieval event: a few validation queries, each with one frame
// of the query video and of each of its top matches among the training videos, marked ✓ (same
// class) or ✗.
import { SCHEMA, type FigureOutcome } from './figure.js';
import type { Frame } from './frames.js';
import type { RetrievalEvent } from './recorded.js';

const NAME = 'retrieval';
const TITLE = 'Retrieval examples';
export const QUERIES_SHOWN = 4;
export const MATCHES_SHOWN = 5;

type Query = RetrievalEvent['results'][number];
export type Frames = Map<string, Frame>;
/** the largest box of a thumbnail in the figure, pixels (4:3, the generator's and most videos' aspect) */
const BOX = { width: 96, height: 72 };

/**
 * The thumbnails' box and whether they are smoothed: frames larger than BOX shrink into it;
 * smaller ones grow by a whole factor, pixel by pixel (sharp, and their PNG stays small).
 */
export function thumbnailBox(frames: Frames): { width: number; height: number; smooth: boolean } {
  const sizes = [...frames.values()].flatMap((f) => ('width' in f ? [f] : []));
  const widest = sizes.reduce<{ width: number; height: number } | null>((a, f) => (a && a.width >= f.width ? a : f), null);
  if (!widest || widest.width >= BOX.width || widest.height >= BOX.height) return { ...BOX, smooth: true };
  const factor = Math.max(1, Math.floor(Math.min(BOX.width / widest.width, BOX.height / widest.height)));
  return { width: widest.width * factor, height: widest.height * factor, smooth: false };
}

/** Up to `n` queries, one per class first (in query order), then the next ones in order. */
export function pickQueries(results: Query[], n = QUERIES_SHOWN): Query[] {
  const seen = new Set<number>();
  const firsts = results.filter((q) => !seen.has(q.label) && seen.add(q.label));
  return [...firsts, ...results.filter((q) => !firsts.includes(q))].slice(0, n);
}

/** The video ids the figure shows, for the caller to fetch their frames. */
export function shownIds(event: RetrievalEvent): string[] {
  return pickQueries(event.results).flatMap((q) => [q.id, ...q.top.slice(0, MATCHES_SHOWN).map((h) => h.id)]);
}

const COLUMNS = ['query', ...Array.from({ length: MATCHES_SHOWN }, (_, i) => `match ${i + 1}`)];
const VERDICT_COLOURS = { query: '#333333', match: '#2e7d32', miss: '#c62828' };

export function retrievalFigure(event: RetrievalEvent | null, frames: Frames | { unavailable: string }): FigureOutcome {
  if (!event || event.results.length === 0) return { name: NAME, title: TITLE, skipped: 'no retrieval event in events.jsonl (retrieval runs after the last epoch)' };
  if ('unavailable' in frames) return { name: NAME, title: TITLE, skipped: frames.unavailable };
  const queries = pickQueries(event.results);
  const cells = queries.flatMap((q, r) => {
    const row = `query ${r + 1}`;
    const cell = (col: string, id: string, verdict: keyof typeof VERDICT_COLOURS, first: string, second: string) => {
      const frame = frames.get(id);
      return { row, col, id, verdict, first, second, uri: frame && 'uri' in frame ? frame.uri : null };
    };
    return [
      cell('query', q.id, 'query', q.className, q.id),
      ...q.top.slice(0, MATCHES_SHOWN).map((h, i) =>
        h.label === q.label ? cell(COLUMNS[i + 1]!, h.id, 'match', `✓ ${h.className}`, `cos ${h.score.toFixed(3)}`) : cell(COLUMNS[i + 1]!, h.id, 'miss', `✗ ${h.className}`, `cos ${h.score.toFixed(3)}`),
      ),
    ];
  });
  const missing = cells.filter((c) => c.uri === null).length;
  const { smooth, ...box } = thumbnailBox(frames);
  // captions below the thumbnail, whose centre sits 10 px above the cell's
  const below = box.height / 2 - 10;
  const position = {
    x: { field: 'col', type: 'ordinal', sort: COLUMNS, title: null, axis: { orient: 'top', ticks: false, domain: false, grid: false, labelAngle: 0, labelPadding: 4 } },
    y: { field: 'row', type: 'ordinal', title: null, axis: { ticks: false, domain: false, grid: false, labelPadding: 6 } },
  } as const;
  const verdictColour = { field: 'verdict', type: 'nominal', legend: null, scale: { domain: Object.keys(VERDICT_COLOURS), range: Object.values(VERDICT_COLOURS) } } as const;
  return {
    name: NAME,
    title: TITLE,
    caption:
      `${queries.length} of the ${event.results.length} validation queries of the retrieval at step ${event.step} (${event.map.label}: ${(100 * event.map.value).toFixed(1)}%), ` +
      `one per class first: the middle frame of the query video, then of its ${MATCHES_SHOWN} nearest training videos by cosine of the mean clip feature, ` +
      `✓ when a match has the query's class, ✗ when not.` +
      (missing > 0 ? ` ${missing} frame${missing === 1 ? '' : 's'} could not be read from the dataset (drawn empty).` : ''),
    spec: {
      $schema: SCHEMA,
      width: { step: Math.max(132, box.width + 24) },
      height: { step: box.height + 56 },
      data: { values: cells },
      encoding: position,
      config: { view: { stroke: null } },
      layer: [
        { mark: { type: 'rect', width: box.width + 6, height: box.height + 6, yOffset: -10, fillOpacity: 0, strokeWidth: 3, aria: false }, encoding: { stroke: verdictColour } },
        {
          transform: [{ filter: 'datum.uri != null' }],
          mark: { type: 'image', ...box, align: 'center', baseline: 'middle', aspect: true, smooth, yOffset: -10, aria: false },
          encoding: { url: { field: 'uri', type: 'nominal' } },
        },
        { transform: [{ filter: 'datum.uri == null' }], mark: { type: 'text', text: 'no frame', yOffset: -10, color: '#999', fontSize: 10 } },
        { mark: { type: 'text', yOffset: below + 16, fontSize: 10, fontWeight: 'bold', limit: 128 }, encoding: { text: { field: 'first' }, color: verdictColour } },
        { mark: { type: 'text', yOffset: below + 29, fontSize: 10, limit: 128, color: '#555' }, encoding: { text: { field: 'second' } } },
      ],
    },
    pixelated: !smooth,
  };
}
