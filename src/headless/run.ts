// A training run without the console: the engine in a worker thread, its events as JSON Lines on
// stdout (when json) and human lines on stderr. Ctrl-C asks the engine to stop (it saves
// checkpoint-last first); a second Ctrl-C ends it at once.
import type { RunConfig } from '../config/types.js';
import { startEngine } from '../train/client.js';
import type { EngineOptions } from '../train/events.js';
import { createReporter, describeEvent } from './reporter.js';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_INTERRUPTED = 130;

export async function runHeadless(config: RunConfig, options: EngineOptions, output: { json: boolean }): Promise<number> {
  const engine = startEngine(config, options);
  const report = output.json
    ? createReporter({ stdout: process.stdout, stderr: process.stderr })
    : (event: Parameters<typeof describeEvent>[0]) => {
        const line = describeEvent(event);
        if (line !== null) process.stderr.write(line + '\n');
      };
  engine.on(report);
  let interrupts = 0;
  const onSignal = () => {
    interrupts++;
    if (interrupts === 1) {
      process.stderr.write('stopping after this step (Ctrl-C again to abort without saving)\n');
      engine.send({ type: 'stop' });
    } else {
      void engine.terminate();
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const exit = await engine.done;
    if (exit.state === 'failed') return EXIT_FAILED;
    return interrupts > 0 ? EXIT_INTERRUPTED : EXIT_OK;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
