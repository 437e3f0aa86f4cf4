// mnf-tui train [--preset P] [--config F] [--dataset DIR] [--method M] [--epochs N] [--batch N]
//   [--seed N] [--out DIR] [--resume DIR] [--overwrite] [--backend B] [--headless] [--eval-every N]
//   [--l1-original] [--on-bad-sample skip|fail] [--precision fp32|bf16] [--tf32 on|off] [--local-csc] [--sync-bn]
// Under mpirun or srun every rank runs this command; rank 0 alone writes the run folder and the output.
import { existsSync, readdirSync, rmdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { BACKEND_NAMES } from '../backend/names.js';
import { buildRunConfig } from '../config/load.js';
import { DEFAULT_PRESET } from '../config/presets.js';
import { METHOD_NAMES, MIN_BATCH, ON_BAD_SAMPLE_POLICIES, type RunConfig } from '../config/types.js';
import type { ConfigOverrides } from '../config/validate.js';
import { detectLaunch } from '../distributed/world.js';
import { runHeadless } from '../headless/run.js';
import { isCheckpoint, readCheckpointMeta } from '../train/checkpoint.js';
import type { EngineOptions } from '../train/events.js';
import { continueConfig } from '../train/resume.js';
import { claimForFreshRun, claimForResume, runFolderOf, RunFolderTakenError, type ClaimedRunFolder } from '../train/run-protection.js';
import { choiceFlag, intFlag, parseFlags, UsageError } from './args.js';
import { TRAIN_FLAGS } from './help.js';
import { checkPrecisionBackend, mathFlags } from './math-flags.js';
import { prepareOutputDir } from './output-dir.js';

/** bytes of the longest name a run writes inside its folder (checkpoint-best/<data file>.<hex>.tmp) */
const LONGEST_RUN_ENTRY = 96;

/** A checkpoint folder, or a run folder whose checkpoint-last is used. */
export function resolveCheckpointDir(dir: string, flag: string): string {
  const path = resolve(dir);
  if (isCheckpoint(path)) return path;
  const last = join(path, 'checkpoint-last');
  if (isCheckpoint(last)) return last;
  throw new UsageError(`${flag} ${dir}: not a checkpoint (expected a folder with manifest.json, or a run folder with checkpoint-last/)`);
}

/** CI is set and not 'false' or '0' (the convention Ink and most tools follow). */
function isCI(): boolean {
  const ci = process.env.CI;
  return ci !== undefined && ci !== 'false' && ci !== '0';
}

function defaultOutDir(config: RunConfig): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return join('runs', `${stamp}-${config.preset}-${config.method}`);
}

export async function train(argv: string[]): Promise<number> {
  try {
    return await trainCommand(argv);
  } catch (err) {
    // a headless caller reads stdout only: the failure is also its last JSON line
    if (argv.includes('--headless')) {
      process.stdout.write(JSON.stringify({ type: 'error', message: (err as Error).message.split('\n')[0], time: Date.now() / 1000 }) + '\n');
    }
    throw err;
  }
}

async function trainCommand(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, TRAIN_FLAGS);
  const backend = choiceFlag(values.backend, '--backend', BACKEND_NAMES);
  const epochs = intFlag(values.epochs, '--epochs', 0);
  const math = mathFlags(values);
  let config: RunConfig;
  let out: string;
  let resume: string | undefined;
  if (values.resume !== undefined) {
    const fixed = (['preset', 'config', 'dataset', 'method', 'batch', 'seed', 'eval-every', 'l1-original', 'on-bad-sample', 'local-csc', 'sync-bn'] as const).filter(
      (k) => values[k] !== undefined,
    );
    if (fixed.length > 0) {
      throw new UsageError(
        `--resume continues the checkpoint's configuration; --${fixed[0]} cannot be changed (only --epochs, --out, --overwrite, --backend, --precision, --tf32)`,
      );
    }
    resume = resolveCheckpointDir(values.resume, '--resume');
    config = continueConfig(readCheckpointMeta(resume).config, { epochs, ...math });
    out = values.out ?? runFolderOf(resume) ?? defaultOutDir(config);
  } else {
    const flags: ConfigOverrides = {};
    if (values.dataset !== undefined) flags.dataset = resolve(values.dataset);
    const method = choiceFlag(values.method, '--method', METHOD_NAMES);
    if (method) flags.method = method;
    if (epochs !== undefined) flags.epochs = epochs;
    const batch = intFlag(values.batch, '--batch', MIN_BATCH);
    if (batch !== undefined) flags.batch = batch;
    const seed = intFlag(values.seed, '--seed', 0);
    if (seed !== undefined) flags.seed = seed;
    const evalEvery = intFlag(values['eval-every'], '--eval-every', 0);
    if (evalEvery !== undefined) flags.evalEvery = evalEvery;
    if (values['l1-original']) flags.l1Original = true;
    if (values['local-csc']) flags.localCsc = true;
    if (values['sync-bn']) flags.syncBn = true;
    const onBad = choiceFlag(values['on-bad-sample'], '--on-bad-sample', ON_BAD_SAMPLE_POLICIES);
    if (onBad) flags.onBadSample = onBad;
    Object.assign(flags, math);
    config = buildRunConfig({ preset: values.preset, configFile: values.config, flags, defaultPreset: DEFAULT_PRESET });
    out = values.out ?? defaultOutDir(config);
  }
  checkPrecisionBackend(config.precision, backend);
  const interactive = !values.headless && process.stdout.isTTY && process.stdin.isTTY;
  // no terminal: never wait for keys that cannot come
  if (!values.headless && !interactive && !isCI()) {
    process.stderr.write('mnf-tui: no terminal for the console; add --headless (or set CI) to train without it\n');
    return 2;
  }
  const mode = { headless: values.headless === true, interactive };
  // the other ranks of a data-parallel job write nothing and report nothing: rank 0 does
  const launch = detectLaunch();
  if (launch && launch.rank > 0) {
    const options: EngineOptions = { out: null, ...(resume ? { resume } : {}), backend };
    return runEngine(config, options, { ...mode, quiet: true });
  }
  const existed = existsSync(resolve(out));
  prepareOutputDir(out, '--out', { longestEntry: LONGEST_RUN_ENTRY });
  const claim = claimRunFolder(out, resume, values.overwrite === true);
  let code = 1;
  try {
    const options: EngineOptions = { out: claim.out, resume: claim.resume, backend };
    code = await runEngine(config, options, mode);
    return code;
  } finally {
    claim.lock.release();
    // a run refused for its settings leaves no trace: nothing was written
    if (code === 2 && !existed) removeIfEmpty(claim.out);
  }
}

function claimRunFolder(out: string, resume: string | undefined, overwrite: boolean): ClaimedRunFolder {
  try {
    return resume ? claimForResume(resume, out, { overwrite }) : claimForFreshRun(out, { overwrite });
  } catch (err) {
    if (err instanceof RunFolderTakenError) throw new UsageError(err.message);
    throw err;
  }
}

async function runEngine(config: RunConfig, options: EngineOptions, mode: { headless: boolean; interactive: boolean; quiet?: boolean }): Promise<number> {
  if (mode.quiet) return runHeadless(config, { ...options, autoStart: true }, { json: false, quiet: true });
  if (mode.interactive) {
    const { runConsole } = await import('../tui/run-console.js');
    return runConsole(config, options);
  }
  if (!mode.headless) process.stderr.write('mnf-tui: no terminal (CI is set): training headless, progress as text on stderr\n');
  // --headless: JSON Lines on stdout; CI without a terminal: text on stderr only
  return runHeadless(config, { ...options, autoStart: true }, { json: mode.headless });
}

function removeIfEmpty(dir: string): void {
  try {
    if (readdirSync(dir).length === 0) rmdirSync(dir);
  } catch {
    // already gone, or not ours to remove
  }
}
