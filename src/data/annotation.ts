// annotation.json of the seed layout: {"labels": [...], "database": {id: {subset, label}}}.
import { readFileSync } from 'node:fs';
import type { Subset } from './types.js';

export class DatasetError extends Error {
  override name = 'DatasetError';
}

export interface AnnotationEntry {
  id: string;
  subset: string;
  label: string;
}

export interface Annotation {
  labels: string[];
  entries: AnnotationEntry[];
}

export const SUBSETS: readonly Subset[] = ['training', 'validation'];

export function readAnnotation(path: string): Annotation {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new DatasetError(`${path}: ${code === 'ENOENT' ? 'annotation file not found' : `cannot read (${code})`}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new DatasetError(`${path}: not valid JSON (${(err as Error).message.split('\n')[0]})`);
  }
  return parseAnnotation(json, path);
}

export function parseAnnotation(json: unknown, path: string): Annotation {
  const root = json as { labels?: unknown; database?: unknown };
  if (typeof root !== 'object' || root === null) throw new DatasetError(`${path}: expected an object with "labels" and "database"`);
  if (!Array.isArray(root.labels) || root.labels.some((l) => typeof l !== 'string')) {
    throw new DatasetError(`${path}: "labels" must be an array of class names`);
  }
  if (typeof root.database !== 'object' || root.database === null || Array.isArray(root.database)) {
    throw new DatasetError(`${path}: "database" must be an object {id: {subset, label}}`);
  }
  const entries: AnnotationEntry[] = [];
  for (const [id, value] of Object.entries(root.database as Record<string, unknown>)) {
    const v = value as { subset?: unknown; label?: unknown };
    if (typeof v !== 'object' || v === null || typeof v.subset !== 'string' || typeof v.label !== 'string') {
      throw new DatasetError(`${path}: database entry '${id}' must be {"subset": string, "label": string}`);
    }
    entries.push({ id, subset: v.subset, label: v.label });
  }
  return { labels: root.labels as string[], entries };
}

export function writeAnnotationJson(labels: string[], entries: AnnotationEntry[]): string {
  const database: Record<string, { subset: string; label: string }> = {};
  for (const e of entries) database[e.id] = { subset: e.subset, label: e.label };
  return JSON.stringify({ labels, database });
}
