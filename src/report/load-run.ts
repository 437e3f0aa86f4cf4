// Reads a run folder (config.json, events.jsonl, results.json) into the series the figures draw.
// Tolerant by design: a run still in progress (no results.json, events.jsonl ending in a partial
// line), an old run (fields missing or named differently), a resumed run (events repeated after
// the checkpoint it resumed from: the later one wins). What could not be read becomes a note.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { z } from 'zod';
import { SEED_LAYOUT } from '../data/dataset.js';
import { defaultDatasetDir } from '../data/default-dataset.js';
import { isCheckpoint } from '../train/checkpoint.js';
import {
  EpochEventSchema,
  EvalEventSchema,
  GateEventSchema,
  ResultsSchema,
  RetrievalEventSchema,
  RunEventSchema,
  StepEventSchema,
  type EpochEvent,
  type EvalEvent,
  type GateEvent,
  type Results,
  type RetrievalEvent,
  type RunEvent,
  type StepEvent,
} from './recorded.js';

export interface LoadedRun {
  dir: string;
  config: Record<string, unknown> | null;
  /** the last run event (a resumed run writes one per start) */
  run: RunEvent | null;
  /** by step */
  steps: StepEvent[];
  /** by epoch */
  epochs: EpochEvent[];
  /** by step, then clip before video */
  evals: EvalEvent[];
  /** by step */
  gates: GateEvent[];
  retrieval: RetrievalEvent | null;
  results: Results | null;
  /** what could not be read, one line each */
  notes: string[];
}

export const EVENTS_FILE = 'events.jsonl';

/** A run folder holds events.jsonl from its first event on. */
export function isRunFolder(dir: string): boolean {
  return existsSync(join(dir, EVENTS_FILE)) && statSync(join(dir, EVENTS_FILE)).isFile();
}

function readJson(path: string, notes: string[]): unknown {
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    notes.push(`${path}: not readable as JSON (${(err as Error).message.split('\n')[0]})`);
    return undefined;
  }
}

/** Parsed lines of events.jsonl; a partial last line (a run writing it) and broken lines are noted. */
function readEventLines(path: string, notes: string[]): Record<string, unknown>[] {
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n');
  const last = lines.pop()!;
  if (last !== '') notes.push(`${path}: the last line is incomplete (the run is still writing it); left out`);
  const events: Record<string, unknown>[] = [];
  let broken = 0;
  for (const line of lines) {
    if (line.trim() === '') continue;
    try {
      const value: unknown = JSON.parse(line);
      if (value && typeof value === 'object' && !Array.isArray(value)) events.push(value as Record<string, unknown>);
      else broken++;
    } catch {
      broken++;
    }
  }
  if (broken > 0) notes.push(`${path}: ${broken} line${broken === 1 ? '' : 's'} not readable as a JSON object (a write cut short); left out`);
  return events;
}

/** The events of one type that match its schema; the others are counted in a note. */
function eventsOf<S extends z.ZodType>(events: Record<string, unknown>[], type: string, schema: S, notes: string[]): z.infer<S>[] {
  const out: z.infer<S>[] = [];
  let unreadable = 0;
  for (const e of events) {
    if (e.type !== type) continue;
    const parsed = schema.safeParse(e);
    if (parsed.success) out.push(parsed.data);
    else unreadable++;
  }
  if (unreadable > 0) notes.push(`${unreadable} ${type} event${unreadable === 1 ? '' : 's'} of an unexpected shape left out`);
  return out;
}

/** The last event for each key, ordered by `order`. */
function lastByKey<T>(events: T[], key: (e: T) => string, order: (a: T, b: T) => number): T[] {
  const byKey = new Map<string, T>();
  for (const e of events) {
    const k = key(e);
    byKey.delete(k); // re-inserted: a repeated event moves to the end, then sorting decides
    byKey.set(k, e);
  }
  return [...byKey.values()].sort(order);
}

export function loadRun(path: string): LoadedRun {
  const dir = resolve(path);
  const notes: string[] = [];
  const events = readEventLines(join(dir, EVENTS_FILE), notes);
  const runs = eventsOf(events, 'run', RunEventSchema, notes);
  const run = runs.at(-1) ?? null;
  const configJson = readJson(join(dir, 'config.json'), notes);
  const config =
    configJson && typeof configJson === 'object' && !Array.isArray(configJson) ? (configJson as Record<string, unknown>) : (run?.config ?? null);

  const resultsJson = readJson(join(dir, 'results.json'), notes);
  let results: Results | null = null;
  if (resultsJson === undefined) notes.push('no results.json: the run has not finished; the figures show its events so far');
  else {
    const parsed = ResultsSchema.safeParse(resultsJson);
    if (parsed.success) results = parsed.data;
    else notes.push(`${join(dir, 'results.json')}: an unexpected shape (${parsed.error.issues[0]?.path.join('.')}); left out`);
  }

  const byStep = (a: { step: number }, b: { step: number }) => a.step - b.step;
  const retrievals = eventsOf(events, 'retrieval', RetrievalEventSchema, notes);
  return {
    dir,
    config,
    run,
    steps: lastByKey(eventsOf(events, 'step', StepEventSchema, notes), (e) => String(e.step), byStep),
    epochs: lastByKey(eventsOf(events, 'epoch', EpochEventSchema, notes), (e) => String(e.epoch), (a, b) => a.epoch - b.epoch),
    evals: lastByKey(
      eventsOf(events, 'eval', EvalEventSchema, notes),
      (e) => `${e.level}@${e.step}`,
      (a, b) => a.step - b.step || (a.level === b.level ? 0 : a.level === 'clip' ? -1 : 1),
    ),
    gates: lastByKey(eventsOf(events, 'gate', GateEventSchema, notes), (e) => `${e.split ?? 'training'}@${e.step}`, byStep),
    retrieval: retrievals.at(-1) ?? null,
    results,
    notes,
  };
}

/** Epochs completed at a measurement: `step / batchesPerEpoch` when the run says its epoch length. */
export function epochsAt(run: LoadedRun, e: { epoch: number; step: number }): number {
  const perEpoch = run.run?.batchesPerEpoch;
  return perEpoch && perEpoch > 0 ? e.step / perEpoch : e.epoch;
}

/** The run's dataset folder (config.dataset; null: the embedded default dataset), or why it is not there. */
export function runDataset(run: LoadedRun): { dir: string } | { missing: string } {
  const named = run.config?.dataset;
  const dir = typeof named === 'string' ? named : defaultDatasetDir();
  if (!existsSync(join(dir, SEED_LAYOUT.annotation))) {
    return { missing: `the run's dataset ${dir} is not there (no ${SEED_LAYOUT.annotation})` };
  }
  return { dir };
}

/** The run folder's checkpoint-last, or null when it has none yet. */
export function lastCheckpoint(run: LoadedRun): string | null {
  const dir = join(run.dir, 'checkpoint-last');
  return isCheckpoint(dir) ? dir : null;
}
