// What each figure module returns: a Vega-Lite spec with its words, or why the figure is left out.
import type { TopLevelSpec } from 'vega-lite';

export interface Figure {
  /** file stem of its .svg and .png, and its id in report.html */
  name: string;
  title: string;
  /** what is drawn and where the numbers come from */
  caption: string;
  spec: TopLevelSpec;
  /** its raster images are enlarged pixel by pixel (the PNG renderer has one setting for the whole figure) */
  pixelated?: boolean;
}

export interface SkippedFigure {
  name: string;
  title: string;
  /** one line: what the run lacks for this figure */
  skipped: string;
}

export type FigureOutcome = Figure | SkippedFigure;

export const isSkipped = (f: FigureOutcome): f is SkippedFigure => 'skipped' in f;

/** Vega-Lite's schema, named in every spec so a spec file opens in the Vega editor. */
export const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** Keeps at most `max` points of a series by averaging consecutive runs of points (x is averaged too). */
export function thin<T extends Record<string, number>>(points: T[], max: number): T[] {
  if (points.length <= max) return points;
  const size = Math.ceil(points.length / max);
  const out: T[] = [];
  for (let i = 0; i < points.length; i += size) {
    const chunk = points.slice(i, i + size);
    const mean = {} as Record<string, number>;
    for (const key of Object.keys(chunk[0]!)) mean[key] = chunk.reduce((s, p) => s + p[key]!, 0) / chunk.length;
    out.push(mean as T);
  }
  return out;
}
