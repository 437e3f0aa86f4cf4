// A figure's Vega-Lite spec → SVG (vega-lite compiles it, vega's headless View draws it) → PNG
// (resvg rasterises the SVG, png.ts encodes it). Every figure shares one look (the config below).
import { renderAsync } from '@resvg/resvg-js';
import { parse, View } from 'vega';
import { compile, type Config, type TopLevelSpec } from 'vega-lite';
import type { Figure } from './figure.js';
import { figureFonts } from './fonts.js';
import { encodePng } from './png.js';

/** PNG pixels per SVG pixel: print resolution for a figure a column wide. */
export const PNG_ZOOM = 2;

function config(font: string): Config {
  return {
    font,
    background: 'white',
    padding: 8,
    view: { stroke: '#ccc' },
    axis: { labelFontSize: 11, titleFontSize: 12, grid: true, gridColor: '#eee' },
    legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 240 },
    header: { labelFontSize: 12, titleFontSize: 12 },
    title: { fontSize: 13, anchor: 'start' },
    range: { category: { scheme: 'tableau10' } },
  };
}

export interface RenderedFigure {
  svg: string;
  png: Buffer;
}

export async function specToSvg(spec: TopLevelSpec): Promise<string> {
  const fonts = figureFonts();
  const vega = compile(spec, { config: config(fonts.css) }).spec;
  // renderer 'none': no canvas; toSVG draws the scenegraph as an SVG string
  const view = new View(parse(vega), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export async function svgToPng(svg: string, pixelated = false): Promise<Buffer> {
  const fonts = figureFonts();
  const image = await renderAsync(svg, {
    font:
      fonts.files.length > 0
        ? { loadSystemFonts: false, fontFiles: fonts.files, defaultFontFamily: fonts.family!, sansSerifFamily: fonts.family! }
        : { loadSystemFonts: true },
    fitTo: { mode: 'zoom', value: PNG_ZOOM },
    imageRendering: pixelated ? 1 : 0,
    background: 'white',
    logLevel: 'off',
  });
  return encodePng(image.pixels, image.width, image.height);
}

export async function renderFigure(figure: Figure): Promise<RenderedFigure> {
  const svg = await specToSvg(figure.spec);
  return { svg, png: await svgToPng(svg, figure.pixelated) };
}
