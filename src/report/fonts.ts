// The font of the figures: the first installed family of a preferred list, found with fontconfig
// (fc-list). The SVGs name the whole list (a browser picks what it has); the PNG renderer loads
// the chosen family's files. Without fontconfig the renderer scans the system fonts itself.
import { spawnSync } from 'node:child_process';

/** Sans-serif families with the ✓/✗ glyphs the retrieval figure draws, best first. */
export const PREFERRED_FAMILIES = ['DejaVu Sans', 'Liberation Sans', 'Noto Sans', 'Arial', 'Helvetica'] as const;

export interface FigureFonts {
  /** CSS font-family list the specs use */
  css: string;
  /** the family the PNGs are drawn with, null when none of the preferred ones is installed */
  family: string | null;
  /** its font files (empty: the renderer loads every system font) */
  files: string[];
  /** why text in the PNGs may look different, when it may */
  note: string | null;
}

function fcList(args: string[]): string[] | null {
  const r = spawnSync('fc-list', args, { encoding: 'utf8', timeout: 10_000 });
  if (r.error || r.status !== 0) return null;
  return r.stdout.split('\n').filter(Boolean);
}

let found: FigureFonts | undefined;

export function figureFonts(): FigureFonts {
  if (found) return found;
  const css = `${PREFERRED_FAMILIES.join(', ')}, sans-serif`;
  const families = fcList(['--format', '%{family}\n']);
  if (families === null) {
    found = { css, family: null, files: [], note: 'fontconfig (fc-list) not found: the PNGs use whatever system font the renderer finds' };
    return found;
  }
  const installed = new Set(families.flatMap((f) => f.split(',')));
  const family = PREFERRED_FAMILIES.find((f) => installed.has(f)) ?? null;
  const files = family ? (fcList(['--format', '%{file}\n', family]) ?? []) : [];
  found = {
    css,
    family,
    files,
    note: family ? null : `none of ${PREFERRED_FAMILIES.join(', ')} is installed (Debian: fonts-dejavu-core): the PNGs use another system font`,
  };
  return found;
}
