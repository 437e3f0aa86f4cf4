// A run folder: config.json, events.jsonl (every engine event, one JSON object per line),
// checkpoint-last/, checkpoint-best/ and results.json. JSON documents are replaced atomically.
import { appendFileSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { RunConfig } from '../config/types.js';
import type { EngineEvent, RunResults } from './events.js';

/** Writes text to a temporary name beside `path`, fsyncs it and renames it over `path`. */
export function writeFileAtomic(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

export class RunFolder {
  readonly path: string;

  constructor(path: string) {
    this.path = resolve(path);
    mkdirSync(this.path, { recursive: true });
  }

  get configPath(): string {
    return join(this.path, 'config.json');
  }
  get eventsPath(): string {
    return join(this.path, 'events.jsonl');
  }
  get resultsPath(): string {
    return join(this.path, 'results.json');
  }
  checkpointPath(kind: 'last' | 'best'): string {
    return join(this.path, `checkpoint-${kind}`);
  }

  writeConfig(config: RunConfig): void {
    writeFileAtomic(this.configPath, JSON.stringify(config, null, 2) + '\n');
  }

  appendEvent(event: EngineEvent): void {
    appendFileSync(this.eventsPath, JSON.stringify(event) + '\n');
  }

  writeResults(results: RunResults & { reason: 'completed' | 'stopped'; config: RunConfig }): void {
    writeFileAtomic(this.resultsPath, JSON.stringify(results, null, 2) + '\n');
  }

  hasResults(): boolean {
    return existsSync(this.resultsPath);
  }
}
