// A run folder: config.json, events.jsonl (every engine event, one JSON object per line),
// checkpoint-last/, checkpoint-best/ and results.json. JSON documents are replaced atomically.
import { appendFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from './atomic-file.js';
import type { RunConfig } from '../config/types.js';
import type { EngineEvent, RunResults } from './events.js';

/** The entries a run writes into its folder. */
export const RUN_ENTRIES = ['config.json', 'events.jsonl', 'results.json', 'checkpoint-last', 'checkpoint-best'] as const;

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
}
