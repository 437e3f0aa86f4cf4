// Text drawing helpers for the console: bars, sparklines, histograms, durations.
const BLOCKS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/** A sparkline of the last `width` values, scaled between their min and max (or a fixed range). */
export function sparkline(values: readonly number[], width: number, range?: { lo: number; hi: number }): string {
  const shown = values.slice(-Math.max(1, width)).filter(Number.isFinite);
  if (shown.length === 0) return '';
  const lo = range?.lo ?? Math.min(...shown);
  const hi = range?.hi ?? Math.max(...shown);
  const span = hi - lo || 1;
  const block = (v: number) => BLOCKS[Math.max(0, Math.min(BLOCKS.length - 1, Math.floor(((v - lo) / span) * BLOCKS.length)))];
  return shown.map(block).join('');
}

/** A progress bar of `width` cells for a fraction in [0, 1]. */
export function bar(fraction: number, width: number): string {
  const f = Math.max(0, Math.min(1, Number.isFinite(fraction) ? fraction : 0));
  const full = Math.round(f * width);
  return '█'.repeat(full) + '░'.repeat(Math.max(0, width - full));
}

/** Vertical-bar histogram: one block character per bin, scaled to the largest bin. */
export function histogram(bins: readonly number[]): string {
  const max = Math.max(...bins, 0);
  if (max <= 0) return bins.map(() => ' ').join('');
  return bins.map((b) => (b <= 0 ? ' ' : BLOCKS[Math.min(BLOCKS.length - 1, Math.floor((b / max) * (BLOCKS.length - 1e-9)))])).join('');
}

export function duration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  const mm = String(m).padStart(2, '0');
  const ss = String(r).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

export const percent = (x: number | null | undefined, digits = 1): string =>
  x === null || x === undefined || !Number.isFinite(x) ? '—' : `${(100 * x).toFixed(digits)}%`;

export const fixed = (x: number | null | undefined, digits = 3): string =>
  x === null || x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(digits);

const columnsOf = (text: string): number => [...text].length;

/** `text` cut to `width` columns, ending in … when cut. */
export function fit(text: string, width: number): string {
  const chars = [...text];
  if (chars.length <= width) return text;
  return width <= 0 ? '' : chars.slice(0, width - 1).join('') + '…';
}

/** `text` cut or padded with spaces to exactly `width` columns. */
export const fitPad = (text: string, width: number): string => {
  const cut = fit(text, width);
  return cut + ' '.repeat(Math.max(0, width - columnsOf(cut)));
};

/**
 * Parts in lines of at most `width` columns, a space between parts: a part that does not fit on
 * the current line starts the next one when it fits a line of its own, and flows word by word
 * otherwise (a word longer than a line is cut into pieces).
 */
export function packParts(parts: readonly string[], width: number): string[] {
  const w = Math.max(1, width);
  const lines: string[] = [];
  let line = '';
  const fits = (text: string) => columnsOf(line) + (line ? 1 : 0) + columnsOf(text) <= w;
  const newLine = () => {
    if (line) lines.push(line);
    line = '';
  };
  const put = (word: string) => {
    if (fits(word)) {
      line = line ? `${line} ${word}` : word;
      return;
    }
    newLine();
    let chars = [...word];
    for (; chars.length > w; chars = chars.slice(w)) lines.push(chars.slice(0, w).join(''));
    line = chars.join('');
  };
  for (const part of parts) {
    if (fits(part) || columnsOf(part) <= w) put(part);
    else for (const word of part.split(' ').filter((x) => x !== '')) put(word);
  }
  newLine();
  return lines;
}

/** `text` in lines of at most `width` columns, broken between words. */
export const wrapText = (text: string, width: number): string[] => packParts(text.split(' ').filter((x) => x !== ''), width);
