// A training run without the console: the engine in a worker thread, its events as JSON Lines on
// stdout (when json) and human lines on stderr. Ctrl-C (or SIGTERM) asks the engine to stop at
// the next step boundary (it saves checkpoint-last first); a second one aborts at once without
// saving: the last checkpoint written stays as it was (checkpoint writes are atomic).
import type { RunConfig } from '../config/types.js';
import { startEngine } from '../train/client.js';
import type { CheckpointEvent, EngineOptions } from '../train/events.js';
import { createReporter, describeEvent } from './reporter.js';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERRUPTED = 130;

export async function runHeadless(config: RunConfig, options: EngineOptions, output: { json: boolean }): Promise<number> {
  const engine = startEngine(config, options);
  const report = output.json
    ? createReporter({ stdout: process.stdout, stderr: process.stderr })
    : (event: Parameters<typeof describeEvent>[0]) => {
        const line = describeEvent(event);
        if (line !== null) process.stderr.write(line + '\n');
      };
  let aborted = false;
  let lastCheckpoint: CheckpointEvent | null = null;
  engine.on((event) => {
    if (aborted) return; // the worker's last words after an abort are not the run's
    if (event.type === 'checkpoint' && event.kind === 'last') lastCheckpoint = event;
    report(event);
  });
  let interrupts = 0;
  const onSignal = () => {
    interrupts++;
    if (interrupts === 1) {
      process.stderr.write('stopping at the next step boundary, then saving (Ctrl-C again to abort without saving)\n');
      engine.send({ type: 'stop' });
    } else if (!aborted) {
      aborted = true;
      void engine.terminate();
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const exit = await engine.done;
    if (aborted) {
      const kept = lastCheckpoint as CheckpointEvent | null;
      const note = kept ? `checkpoint-last is the one from step ${kept.step}: ${kept.path}` : 'no checkpoint was written by this run';
      process.stderr.write(`aborted without saving; ${note}\n`);
      return EXIT_INTERRUPTED;
    }
    if (exit.state === 'failed') return exit.usage ? EXIT_USAGE : EXIT_FAILED;
    return interrupts > 0 ? EXIT_INTERRUPTED : EXIT_OK;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
