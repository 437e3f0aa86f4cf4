#!/usr/bin/env node
// mnf-tui command line: dispatches to src/commands/*; see DESIGN.md for the contract.
import { keepGcMarkingOnMainThread } from './backend/native/gc-marking.js';
import { UsageError } from './commands/args.js';

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
};

const USAGE = `usage:
  mnf-tui                                   live console on the default dataset (train's flags apply)
  mnf-tui train   [--preset P] [--config F] [--dataset DIR] [--method M] [--epochs N]
                  [--batch N] [--seed N] [--out DIR] [--resume DIR] [--backend B] [--headless]
                  [--eval-every N] [--l1-original] [--on-bad-sample skip|fail]
  mnf-tui eval     --checkpoint DIR [--dataset DIR] [--backend B] [--json]
  mnf-tui retrieve --checkpoint DIR [--dataset DIR] [--k 500] [--backend B] [--json]
  mnf-tui data make-synthetic --out DIR [--classes N] [--videos-per-class N] [--frames N] [--size N]
                  [--noise R] [--partial R] [--seed N] [--teacher-features DIR|ARCHIVE] [--val-fraction F]
  mnf-tui data ingest  --videos DIR --out DIR [--fps 4] [--short-side 240] [--labels folder|ucf-name]
                  [--val-groups 1-7 | --val-fraction F] [--on-bad-sample skip|fail]
  mnf-tui data inspect --dataset DIR [--json]
  mnf-tui bench kernels|csc|decode|step [--json]
  mnf-tui doctor [--json]
presets: ucf51, activitynet, bench-s, tiny, console; methods: ce, feat-kd, contrastive, csc, mnf-csc;
backends: auto, native, cpu, tensorflow`;

async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'help' || argv.includes('--help') || argv.includes('-h')) {
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
