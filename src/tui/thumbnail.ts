// A thumbnail from a retrieval event drawn in half-block characters: each cell shows two pixels of
// a column, so `size` pixels take `size` columns and ceil(size / 2) rows.
import type { ColourDepth, Rgb } from './colour.js';
import { halfBlock, RESET_COLOURS } from './colour.js';

/** Rows of a thumbnail's cells, with colour escapes (`size`×`size` RGB bytes, base64); null when the bytes do not fit the size. */
export function thumbnailRows(base64: string, size: number, depth: Exclude<ColourDepth, 'none'>): string[] | null {
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.length !== size * size * 3) return null;
  const pixel = (x: number, y: number): Rgb => {
    const i = (y * size + x) * 3;
    return [bytes[i]!, bytes[i + 1]!, bytes[i + 2]!];
  };
  const rows: string[] = [];
  for (let y = 0; y < size; y += 2) {
    let row = '';
    for (let x = 0; x < size; x++) row += halfBlock(pixel(x, y), y + 1 < size ? pixel(x, y + 1) : null, depth);
    rows.push(row + RESET_COLOURS);
  }
  return rows;
}

/** Rows a thumbnail of `size` pixels takes. */
export const thumbnailHeight = (size: number): number => Math.ceil(size / 2);
