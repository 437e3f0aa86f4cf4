// Opens the live console on a run: the engine in its worker thread, the Ink app in this one.
import { render } from 'ink';
import type { RunConfig } from '../config/types.js';
import { startEngine } from '../train/client.js';
import type { EngineCommand, EngineOptions } from '../train/events.js';
import { App } from './App.js';
import { colourDepthOf, type ColourDepth } from './colour.js';
import { useEngineModel, type EventSource } from './use-engine-model.js';
import { useTerminalSize } from './use-terminal-size.js';

/** Pixels a side of the retrieval pane's thumbnails: 8 columns by 4 rows of half blocks. */
export const THUMBNAIL_PIXELS = 8;

/** The console bound to a live event source (the engine handle). */
export function Console({ source, send, onQuit, colours = 'none' }: { source: EventSource; send: (c: EngineCommand) => void; onQuit: () => void; colours?: ColourDepth }) {
  const model = useEngineModel(source);
  const { columns, rows } = useTerminalSize();
  return <App model={model} send={send} onQuit={onQuit} columns={columns} rows={rows} colours={colours} />;
}

/** Runs until the user quits; resolves with the process exit code. */
export async function runConsole(config: RunConfig, options: EngineOptions): Promise<number> {
  const colours = colourDepthOf(process.stdout);
  // thumbnails only where they can be drawn: a terminal without colour gets ids and labels
  const engine = startEngine(config, { ...options, autoStart: false, ...(colours !== 'none' ? { thumbnailSize: THUMBNAIL_PIXELS } : {}) });
  const app = render(<Console source={engine} send={(c) => engine.send(c)} onQuit={() => undefined} colours={colours} />, {
    exitOnCtrlC: false,
  });
  await app.waitUntilExit();
  // stop saves checkpoint-last when training has begun and ends an idle engine; no-op when finished
  engine.send({ type: 'stop' });
  let timer: NodeJS.Timeout | undefined;
  const exit = await Promise.race([
    engine.done,
    new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), 120_000))),
  ]);
  clearTimeout(timer);
  await engine.terminate();
  // Ink leaves stdin flowing after unmount; nothing else should keep the process alive
  process.stdin.pause();
  process.stdin.unref?.();
  if (exit?.state === 'failed') return exit.usage ? 2 : 1;
  return 0;
}
