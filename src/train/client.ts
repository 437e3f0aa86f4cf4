// The client side of the engine: what the console and the headless command hold. startEngine
// runs the engine in a worker thread (tfjs kernels are synchronous; the caller's thread stays
// responsive). It does not load the engine (nor tfjs) into the caller's thread: the console's
// thread only renders; src/train/in-process.ts runs an engine on the caller's thread (tests, tools).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { RunConfig } from '../config/types.js';
import { now, type EngineCommand, type EngineEvent, type EngineHandle, type EngineOptions, type ExitInfo } from './events.js';

/** Message the worker sends last, after the engine's final event. */
export interface WorkerExitMessage {
  type: '__exit';
  exit: ExitInfo;
}

export class Handle implements EngineHandle {
  private readonly listeners = new Set<(event: EngineEvent) => void>();
  private finish!: (exit: ExitInfo) => void;
  private finished = false;
  get settled(): boolean {
    return this.finished;
  }
  readonly done: Promise<ExitInfo>;

  constructor(
    private readonly sendCommand: (command: EngineCommand) => void,
    private readonly stop: () => Promise<void>,
  ) {
    this.done = new Promise((resolve) => {
      this.finish = resolve;
    });
  }

  dispatch(event: EngineEvent): void {
    for (const listener of [...this.listeners]) listener(event);
  }

  settle(exit: ExitInfo): void {
    if (this.finished) return;
    this.finished = true;
    this.finish(exit);
  }

  on(listener: (event: EngineEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  events(): AsyncIterable<EngineEvent> {
    const buffer: EngineEvent[] = [];
    let wake: (() => void) | null = null;
    let ended = false;
    const off = this.on((event) => {
      buffer.push(event);
      wake?.();
    });
    void this.done.then(() => {
      ended = true;
      off();
      wake?.();
    });
    return {
      [Symbol.asyncIterator]: () => ({
        next: async (): Promise<IteratorResult<EngineEvent>> => {
          for (;;) {
            if (buffer.length > 0) return { value: buffer.shift()!, done: false };
            if (ended) return { value: undefined, done: true };
            await new Promise<void>((resolve) => (wake = resolve));
            wake = null;
          }
        },
        return: async (): Promise<IteratorResult<EngineEvent>> => {
          off();
          return { value: undefined, done: true };
        },
      }),
    };
  }

  send(command: EngineCommand): void {
    if (!this.finished) this.sendCommand(command);
  }

  terminate(): Promise<void> {
    return this.stop();
  }
}

/** The worker: compiled worker.js next to this file, or worker-dev.mjs (tsx, then worker.ts) from source. */
function createWorker(workerData: unknown): Worker {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.ts')) return new Worker(new URL('./worker-dev.mjs', import.meta.url), { workerData });
  const js = new URL('./worker.js', import.meta.url);
  if (!existsSync(fileURLToPath(js))) throw new Error(`engine worker not found at ${fileURLToPath(js)}: rebuild with \`npm run build:ts\``);
  return new Worker(js, { workerData });
}

export function startEngine(config: RunConfig, options: EngineOptions): EngineHandle {
  const worker = createWorker({ config, options });
  const handle = new Handle(
    (command) => worker.postMessage(command),
    async () => {
      await worker.terminate();
    },
  );
  worker.on('message', (message: EngineEvent | WorkerExitMessage) => {
    if (message.type === '__exit') handle.settle(message.exit);
    else handle.dispatch(message);
  });
  const fail = (message: string) => {
    if (handle.settled) return;
    handle.dispatch({ type: 'error', message, time: now() });
    handle.settle({ state: 'failed', results: null, error: message });
  };
  worker.on('error', (err) => fail(`engine worker failed: ${err.message.split('\n')[0]}`));
  // messages posted before the worker ended are delivered first; give them a turn
  worker.on('exit', (code) => setImmediate(() => fail(`engine worker exited (code ${code}) before finishing`)));
  return handle;
}
