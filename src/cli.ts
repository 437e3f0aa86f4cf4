#!/usr/bin/env node
// mnf-tui command line: dispatches to src/commands/*; see DESIGN.md for the contract.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { keepGcMarkingOnMainThread } from './backend/native/gc-marking.js';
import { HelpRequest, UsageError, wantsHelp } from './commands/args.js';
import { ConfigError } from './config/errors.js';

// Before anything allocates much: V8 flags may only change before the first major GC.
keepGcMarkingOnMainThread();

// Set in the real environment before any thread loads the addon (a worker's process.env is a copy):
// see src/native/addon.ts.
process.env.OMP_WAIT_POLICY ??= 'passive';

type Command = (argv: string[]) => Promise<number>;

const commands: Record<string, Command> = {
  doctor: async (argv) => (await import('./commands/doctor.js')).doctor(argv),
  bench: async (argv) => (await import('./commands/bench.js')).bench(argv),
  data: async (argv) => (await import('./commands/data.js')).data(argv),
  train: async (argv) => (await import('./commands/train.js')).train(argv),
  // no command: the live console on the default dataset (train's flags apply)
  console: async (argv) => (await import('./commands/train.js')).train(argv),
  eval: async (argv) => (await import('./commands/eval.js')).evaluate(argv),
  retrieve: async (argv) => (await import('./commands/retrieve.js')).retrieveCommand(argv),
  report: async (argv) => (await import('./commands/report.js')).reportCommand(argv),
};

/** package.json's version, from src/ (tsx, vitest) or dist/src/ (the installed bin). */
function packageVersion(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'mnf-tui' && pkg.version) return pkg.version;
    }
    if (dirname(dir) === dir) throw new Error('cannot find mnf-tui\'s package.json above ' + fileURLToPath(import.meta.url));
  }
}

async function main(argv: string[]): Promise<number> {
  if (argv.length === 1 && argv[0] === '--version') {
    process.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  if (argv[0] === 'help') argv = [...argv.slice(1), '--help'];
  const end = argv.findIndex((a) => a.startsWith('-'));
  const words = (end < 0 ? argv : argv.slice(0, end)).join(' ');
  if (wantsHelp(argv)) {
    // the help pages need neither a command's module nor its imports (tfjs)
    const { HELP_PAGES, formatHelp, globalUsage } = await import('./commands/help.js');
    const page = words === '' ? undefined : HELP_PAGES[words];
    if (words === '' || page) {
      process.stdout.write((page ? formatHelp(words, page) : globalUsage()) + '\n');
      return 0;
    }
  }
  if (argv.length === 0 || argv[0]!.startsWith('-')) argv = ['console', ...argv];
  const [name, ...rest] = argv;
  const command = commands[name!];
  if (!command) throw new UsageError(`unknown command '${name}' (try mnf-tui --help)`);
  try {
    return await command(rest);
  } catch (err) {
    if (!(err instanceof HelpRequest)) throw err;
    // a command without a help page here (a benchmark): its parser's flags
    const { formatHelp } = await import('./commands/help.js');
    process.stdout.write(formatHelp(words, { summary: '', flags: err.flags }) + '\n');
    return 0;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: Error) => {
    process.stderr.write(`mnf-tui: ${err.message.split('\n')[0]}\n`);
    if (process.env.MNF_DEBUG) process.stderr.write(`${err.stack}\n`);
    // a bad flag, config file or preset is a usage error
    process.exitCode = err instanceof UsageError || err instanceof ConfigError ? 2 : 1;
  },
);
