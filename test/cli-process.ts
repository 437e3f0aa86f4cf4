// Runs the CLI (TypeScript sources through tsx) as a user would: synchronously, or as a child
// process the test can signal while it trains.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..');
const ARGS = ['--import', 'tsx', join(ROOT, 'src', 'cli.ts')];

export function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [...ARGS, ...args], { encoding: 'utf8', cwd: ROOT, timeout: 180_000, env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export interface RunningCli {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** resolves with the first JSON line on stdout that `match` accepts */
  waitForEvent(match: (event: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  /** resolves once stderr contains `text` */
  waitForStderr(text: string): Promise<void>;
  exit: Promise<number | null>;
}

export function startCli(args: string[]): RunningCli {
  return watchCli(spawn(process.execPath, [...ARGS, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] }));
}

/** A running CLI process (started with piped stdout and stderr), as startCli returns it. */
export function watchCli(child: ChildProcess): RunningCli {
  let out = '';
  let err = '';
  const waiters: (() => void)[] = [];
  const poke = () => waiters.splice(0).forEach((w) => w());
  child.stdout!.on('data', (d) => {
    out += d;
    poke();
  });
  child.stderr!.on('data', (d) => {
    err += d;
    poke();
  });
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const until = async (found: () => boolean, what: string) => {
    let ended = false;
    void exit.then(() => {
      ended = true;
      poke();
    });
    while (!found()) {
      if (ended) throw new Error(`the CLI exited before ${what}; stderr:\n${err}`);
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  const events = () =>
    out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    async waitForEvent(match) {
      await until(() => events().some(match), 'the awaited event');
      return events().find(match)!;
    },
    waitForStderr: (text) => until(() => err.includes(text), `stderr showed '${text}'`),
    exit,
  };
}
