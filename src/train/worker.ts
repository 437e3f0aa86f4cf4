// Worker-thread entry of the engine: receives commands from the parent, posts every event back,
// then a final '__exit' message with the outcome.
import { parentPort, workerData } from 'node:worker_threads';
import type { RunConfig } from '../config/types.js';
import type { WorkerExitMessage } from './client.js';
import { Engine } from './engine.js';
import { defaultSetup } from './engine-setup.js';
import type { EngineCommand, EngineOptions } from './events.js';

if (!parentPort) throw new Error('src/train/worker.ts runs only as a worker thread (see startEngine)');
const port = parentPort;
const { config, options } = workerData as { config: RunConfig; options: EngineOptions };

const engine = new Engine(config, options, defaultSetup(), (event) => port.postMessage(event));
port.on('message', (command: EngineCommand) => engine.command(command));
const exit = await engine.run();
port.postMessage({ type: '__exit', exit } satisfies WorkerExitMessage);
port.close();
