// report.html: one self-contained page (inline CSS, the figures as inline SVG, no script) with
// tables of facts, notes on what could not be read, and each figure or why it is left out.
import type { Figure, SkippedFigure } from './figure.js';

export type Cell = string | { text: string; href: string };

export interface Table {
  heading: string;
  columns?: string[];
  rows: Cell[][];
}

export type Section = { figure: Figure; svg: string } | SkippedFigure;

export interface HtmlPage {
  title: string;
  intro: string;
  tables: Table[];
  notes: string[];
  sections: Section[];
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

/**
 * Every id inside an SVG (vega's clip paths and gradients, numbered from 1 in each figure)
 * prefixed, so figures inlined into one page do not reference each other's.
 */
export function scopeSvgIds(svg: string, prefix: string): string {
  return svg
    .replace(/\bid="([^"]+)"/g, `id="${prefix}-$1"`)
    .replace(/url\(#([^)]+)\)/g, `url(#${prefix}-$1)`)
    .replace(/href="#([^"]+)"/g, `href="#${prefix}-$1"`);
}

function cell(c: Cell, tag: 'td' | 'th' = 'td'): string {
  return `<${tag}>${typeof c === 'string' ? escapeHtml(c) : `<a href="${escapeHtml(c.href)}">${escapeHtml(c.text)}</a>`}</${tag}>`;
}

function table(t: Table): string {
  const head = t.columns ? `<thead><tr>${t.columns.map((c) => cell(c, 'th')).join('')}</tr></thead>` : '';
  const body = t.rows.map((row) => `<tr>${row.map((c, i) => (t.columns || i > 0 ? cell(c) : cell(c, 'th'))).join('')}</tr>`).join('\n');
  return `<section class="facts"><h2>${escapeHtml(t.heading)}</h2><table>${head}<tbody>\n${body}\n</tbody></table></section>`;
}

function section(s: Section): string {
  if ('skipped' in s) {
    return `<section id="${s.name}" class="figure skipped"><h2>${escapeHtml(s.title)}</h2><p class="note">Not drawn: ${escapeHtml(s.skipped)}</p></section>`;
  }
  const { figure } = s;
  const svg = scopeSvgIds(s.svg, figure.name).replace(/^<svg /, `<svg role="img" aria-label="${escapeHtml(figure.title)}" `);
  return (
    `<section id="${figure.name}" class="figure"><h2>${escapeHtml(figure.title)}</h2>` +
    `<figure data-figure="${figure.name}">${svg}<figcaption>${escapeHtml(figure.caption)} ` +
    `<a href="${figure.name}.svg">SVG</a> · <a href="${figure.name}.png">PNG</a></figcaption></figure></section>`
  );
}

const STYLE = `
body { font-family: 'DejaVu Sans', 'Liberation Sans', Arial, Helvetica, sans-serif; color: #222; margin: 2rem auto; max-width: 1200px; padding: 0 1rem; line-height: 1.4; }
h1 { font-size: 1.5rem; margin-bottom: 0.25rem; } h2 { font-size: 1.15rem; margin: 1.75rem 0 0.5rem; }
table { border-collapse: collapse; font-size: 0.9rem; } th, td { text-align: left; padding: 0.15rem 0.9rem 0.15rem 0; vertical-align: top; }
thead th { border-bottom: 1px solid #bbb; } tbody th { font-weight: normal; color: #555; }
figure { margin: 0; } figure svg { max-width: 100%; height: auto; display: block; }
figcaption { font-size: 0.85rem; color: #444; max-width: 60rem; margin-top: 0.4rem; }
.note { color: #8a5a00; font-size: 0.9rem; } .facts { display: inline-block; margin-right: 3rem; vertical-align: top; }
`;

export function reportHtml(page: HtmlPage): string {
  const notes = page.notes.length > 0 ? `<section class="notes"><h2>Notes</h2><ul>${page.notes.map((n) => `<li class="note">${escapeHtml(n)}</li>`).join('')}</ul></section>` : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${escapeHtml(page.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(page.title)}</h1>
<p>${escapeHtml(page.intro)}</p>
${page.tables.map(table).join('\n')}
${notes}
${page.sections.map(section).join('\n')}
</body>
</html>
`;
}
