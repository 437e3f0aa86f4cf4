// A training run without the console: the engine in a worker thread, its events as JSON Lines on
// stdout (when json) and human lines on stderr. Ctrl-C (or SIGTERM) asks the engine to stop at
// the next step boundary (it saves checkpoint-last first); a second one ends the process at once
// without saving: the last checkpoint written stays as it was (checkpoint writes are atomic), and
// the run folder's lock is released by the exit handler.
import type { RunConfig } from '../config/types.js';
import { detectLaunch } from '../distributed/world.js';
import { startEngine } from '../train/client.js';
import type { CheckpointEvent, EngineOptions } from '../train/events.js';
import { createReporter, describeEvent } from './reporter.js';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERRUPTED = 130;

/** `quiet`: report nothing (a data-parallel job's ranks other than 0; rank 0 reports the job). */
export async function runHeadless(config: RunConfig, options: EngineOptions, output: { json: boolean; quiet?: boolean }): Promise<number> {
  const engine = startEngine(config, options);
  const report = output.quiet
    ? () => undefined
    : output.json
    ? createReporter({ stdout: process.stdout, stderr: process.stderr })
    : (event: Parameters<typeof describeEvent>[0]) => {
        const line = describeEvent(event);
        if (line !== null) process.stderr.write(line + '\n');
      };
  let lastCheckpoint: CheckpointEvent | null = null;
  engine.on((event) => {
    if (event.type === 'checkpoint' && event.kind === 'last') lastCheckpoint = event;
    report(event);
  });
  const keptCheckpoint = () => {
    const kept = lastCheckpoint as CheckpointEvent | null;
    return kept ? `checkpoint-last is the one from step ${kept.step}: ${kept.path}` : 'no checkpoint was written by this run';
  };
  let interrupts = 0;
  const onSignal = () => {
    interrupts++;
    if (interrupts === 1) {
      const who = (detectLaunch()?.size ?? 1) > 1 ? 'every rank' : '';
      if (!output.quiet) process.stderr.write(`stopping ${who ? `${who} ` : ''}at the next step boundary, then saving (Ctrl-C again to abort without saving)\n`);
      engine.send({ type: 'stop' });
    } else {
      // the process ends here (its exit handlers run: the run folder's lock is released), not
      // only the engine's worker: nothing more of this run is written
      process.stderr.write(`aborted without saving; ${keptCheckpoint()}\n`);
      process.exit(EXIT_INTERRUPTED);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const exit = await engine.done;
    if (exit.state === 'failed') return exit.usage ? EXIT_USAGE : EXIT_FAILED;
    return interrupts > 0 ? EXIT_INTERRUPTED : EXIT_OK;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
