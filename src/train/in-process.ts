// An engine on the caller's thread (tests and tools that want no worker).
import type { RunConfig } from '../config/types.js';
import { Handle } from './client.js';
import { Engine, type EngineSetup } from './engine.js';
import type { EngineHandle, EngineOptions } from './events.js';

export function startEngineInProcess(config: RunConfig, options: EngineOptions, setup: EngineSetup): EngineHandle {
  let engine: Engine | null = null;
  const handle = new Handle(
    (command) => engine?.command(command),
    async () => {
      engine?.command({ type: 'stop' });
    },
  );
  engine = new Engine(config, options, setup, (event) => handle.dispatch(event));
  // start on the next turn, so that listeners attached right after this call see every event
  setImmediate(() => void engine!.run().then((exit) => handle.settle(exit)));
  return handle;
}
