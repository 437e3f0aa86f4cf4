// mnf-tui report RUN... [--out DIR] [--backend B]: a run folder's figures (report.html, each figure
// as SVG and PNG) in RUN/report or --out; given several runs, each one's report in RUN/report and a
// comparison of them all in --out (default: report/ in the folder that holds them all).
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { BACKEND_NAMES } from '../backend/names.js';
import { isRunFolder, loadRun } from '../report/load-run.js';
import { LONGEST_ENTRY, writeComparisonReport, writeRunReport, type WrittenReport } from '../report/write-report.js';
import { choiceFlag, parseFlags, UsageError } from './args.js';
import { REPORT_FLAGS } from './help.js';
import { prepareOutputDir } from './output-dir.js';

/** The deepest folder that holds every one of `dirs`. */
export function commonFolder(dirs: string[]): string {
  const split = dirs.map((d) => d.split(sep));
  const shared: string[] = [];
  for (let i = 0; split.every((parts) => i < parts.length && parts[i] === split[0]![i]); i++) shared.push(split[0]![i]!);
  return shared.join(sep) || sep;
}

function runFolders(positionals: string[]): string[] {
  if (positionals.length === 0) throw new UsageError('report: expected one or more run folders (mnf-tui report RUN... [--out DIR])');
  const dirs = positionals.map((p) => {
    const dir = resolve(p);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`report: ${p}: no such folder (expected a run folder)`);
    if (!isRunFolder(dir)) throw new UsageError(`report: ${p}: not a run folder (no events.jsonl)`);
    return dir;
  });
  return [...new Set(dirs)];
}

function described(report: WrittenReport): string {
  const left = report.skipped.length > 0 ? `; left out: ${report.skipped.join('; ')}` : '';
  return `wrote ${report.html} (${report.drawn.length} figure${report.drawn.length === 1 ? '' : 's'}${left})\n`;
}

export async function reportCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(argv, REPORT_FLAGS, true);
  const backend = choiceFlag(values.backend, '--backend', BACKEND_NAMES);
  const dirs = runFolders(positionals);
  const options = { backend, log: (line: string) => process.stderr.write(`${line}\n`) };
  const prepare = (dir: string, flag: string) => prepareOutputDir(dir, flag, { longestEntry: LONGEST_ENTRY });

  if (dirs.length === 1) {
    const out = prepare(values.out ?? join(dirs[0]!, 'report'), values.out ? '--out' : 'report folder');
    process.stdout.write(described(await writeRunReport(loadRun(dirs[0]!), out, options)));
    return 0;
  }
  // every folder is checked before anything is written
  const comparison = prepare(values.out ?? join(commonFolder(dirs.map(dirname)), 'report'), values.out ? '--out' : 'comparison folder');
  const outs = dirs.map((dir) => prepare(join(dir, 'report'), 'report folder'));
  const reports = [];
  for (const [i, dir] of dirs.entries()) {
    const run = loadRun(dir);
    const written = await writeRunReport(run, outs[i]!, options);
    process.stdout.write(described(written));
    reports.push({ run, report: written.html });
  }
  process.stdout.write(described(await writeComparisonReport(reports, comparison)));
  return 0;
}
