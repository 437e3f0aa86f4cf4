// Headless reporter: every engine event as one JSON line on stdout, a short human line for the
// important ones on stderr (worded by describe-event, the same words the console uses).
import { describeEvent } from '../train/describe-event.js';
import type { EngineEvent } from '../train/events.js';

export { describeEvent };

export interface Streams {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

export function createReporter(streams: Streams): (event: EngineEvent) => void {
  return (event) => {
    streams.stdout.write(JSON.stringify(event) + '\n');
    const line = describeEvent(event);
    if (line !== null) streams.stderr.write(line + '\n');
  };
}
