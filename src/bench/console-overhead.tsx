// Training throughput with the live console rendering vs headless (JSON Lines), same preset,
// same generated dataset, runs interleaved (headless, console, headless, console). The console
// renders into an off-screen terminal of 120×40; clips/s comes from the engine's step events.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import { render } from 'ink';
import type { RunConfig } from '../config/types.js';
import { makeSynthetic } from '../data/synthetic.js';
import { createReporter } from '../headless/reporter.js';
import { startEngine } from '../train/client.js';
import type { EngineEvent, EngineHandle, StepEvent } from '../train/events.js';
import { Console } from '../tui/run-console.js';

class OffscreenTerminal extends Writable {
  readonly isTTY = true;
  readonly columns = 120;
  readonly rows = 40;
  override _write(_chunk: unknown, _encoding: BufferEncoding, done: () => void): void {
    done();
  }
}

/** Enough of a TTY stdin for Ink's useInput (raw mode is a no-op: no key ever comes). */
class SilentKeyboard extends EventEmitter {
  readonly isTTY = true;
  setRawMode(): this {
    return this;
  }
  setEncoding(): this {
    return this;
  }
  read(): null {
    return null;
  }
  resume(): this {
    return this;
  }
  pause(): this {
    return this;
  }
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
}

const nullSink = () => new Writable({ write: (_c, _e, done) => done() });

/** Clips per second over the step events after `skip` warm-up steps (engine-side times). */
function clipsPerSecond(steps: StepEvent[], skip: number, batch: number): number {
  const measured = steps.slice(skip);
  if (measured.length < 2) return NaN;
  const seconds = measured[measured.length - 1]!.time - measured[0]!.time;
  return ((measured.length - 1) * batch) / seconds;
}

async function trainSteps(config: RunConfig, steps: number, withConsole: boolean): Promise<StepEvent[]> {
  const engine: EngineHandle = startEngine(config, { out: null, backend: 'native', autoStart: true, finalEvaluation: false });
  const seen: StepEvent[] = [];
  engine.on((event: EngineEvent) => {
    if (event.type === 'step') {
      seen.push(event);
      if (seen.length === steps) engine.send({ type: 'stop' });
    }
  });
  let app: ReturnType<typeof render> | undefined;
  if (withConsole) {
    app = render(<Console source={engine} send={(c) => engine.send(c)} onQuit={() => undefined} />, {
      stdout: new OffscreenTerminal() as unknown as NodeJS.WriteStream,
      stdin: new SilentKeyboard() as unknown as NodeJS.ReadStream,
      exitOnCtrlC: false,
      patchConsole: false,
    });
  } else {
    engine.on(createReporter({ stdout: nullSink(), stderr: nullSink() }));
  }
  const exit = await engine.done;
  app?.unmount();
  await engine.terminate();
  if (exit.state === 'failed') throw new Error(`bench step (console vs headless): ${exit.error}`);
  return seen;
}

export interface ConsoleOverhead {
  preset: string;
  steps_per_run: number;
  warmup_steps: number;
  runs: { mode: 'headless' | 'console'; clips_per_second: number }[];
  headless_clips_per_second: number;
  console_clips_per_second: number;
  /** console / headless throughput (target ≥ 0.95) */
  ratio: number;
}

export async function measureConsoleOverhead(config: RunConfig, steps = 8, warmup = 2, pairs = 2): Promise<ConsoleOverhead> {
  const root = mkdtempSync(join(tmpdir(), 'mnf-bench-console-'));
  try {
    const dataset = join(root, 'data');
    const classes = Math.min(config.model.numClasses, 8);
    await makeSynthetic({ out: dataset, classes, videosPerClass: 8, frames: config.clipLength + 4, size: config.size, seed: 1, valFraction: 0.25 });
    const runConfig: RunConfig = { ...config, dataset, epochs: 1000, evalEvery: 0, model: { ...config.model, numClasses: classes } };
    const runs: ConsoleOverhead['runs'] = [];
    for (let i = 0; i < pairs; i++) {
      for (const mode of ['headless', 'console'] as const) {
        const events = await trainSteps(runConfig, steps + warmup, mode === 'console');
        runs.push({ mode, clips_per_second: clipsPerSecond(events, warmup, runConfig.batch) });
      }
    }
    const mean = (mode: string) => {
      const xs = runs.filter((r) => r.mode === mode).map((r) => r.clips_per_second);
      return xs.reduce((a, b) => a + b, 0) / xs.length;
    };
    const headless = mean('headless');
    const console = mean('console');
    return {
      preset: config.preset,
      steps_per_run: steps,
      warmup_steps: warmup,
      runs,
      headless_clips_per_second: headless,
      console_clips_per_second: console,
      ratio: console / headless,
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
