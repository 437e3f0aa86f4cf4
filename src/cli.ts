#!/usr/bin/env node
// mnf-tui command line: dispatches to src/commands/*; see DESIGN.md for the contract.
import { UsageError } from './commands/args.js';

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
};

const USAGE = `usage: mnf-tui [command] [flags]
  (no command)        live console on the default dataset
  train               train a model (--headless for JSON Lines)
  eval | retrieve     evaluate a checkpoint
  data                make-synthetic | ingest | inspect
  bench               kernels | csc | decode | step
  doctor              what this machine offers (--json)`;

async function main(argv: string[]): Promise<number> {
  if (argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if (argv.length === 0 || argv[0]!.startsWith('--')) argv = ['console', ...argv];
  const [name, ...rest] = argv;
  const command = commands[name!];
  if (!command) throw new UsageError(`unknown command '${name}' (try mnf-tui --help)`);
  return command(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: Error) => {
    process.stderr.write(`mnf-tui: ${err.message.split('\n')[0]}\n`);
    if (process.env.MNF_DEBUG) process.stderr.write(`${err.stack}\n`);
    process.exitCode = err instanceof UsageError ? 2 : 1;
  },
);
