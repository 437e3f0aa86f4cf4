// The command line's flag tables and help pages. Each command parses with its table here, so a
// help page lists exactly the flags its parser accepts; defaults come from the code (the default
// preset, the backend list) where the code holds them. Loads neither tfjs nor the addon.
import { DEFAULT_MATH_MODE } from '../backend/cuda/math-mode.js';
import { BACKEND_NAMES } from '../backend/names.js';
import { DEFAULT_PRESET, PRESET_NAMES, resolveConfig } from '../config/presets.js';
import { METHOD_NAMES, MIN_BATCH, ON_BAD_SAMPLE_POLICIES, PRECISIONS } from '../config/schema.js';
import type { FlagSpec } from './args.js';

type Flags = Record<string, FlagSpec>;

export interface HelpPage {
  summary: string;
  flags: Flags;
  /** a command made of subcommands (`data`, `bench`): each one's name and summary */
  subcommands?: Record<string, string>;
  /** what follows the command words besides flags, as the usage line shows it (`RUN...`) */
  operands?: string;
}

const defaults = resolveConfig(DEFAULT_PRESET);
const fromPreset = (value: unknown) => `the preset's, ${String(value)} for ${DEFAULT_PRESET}`;
const retrievalKs = PRESET_NAMES.map((p) => `${p} ${resolveConfig(p).retrievalK}`).join(', ');

const json = { type: 'boolean', description: 'one JSON document on stdout instead of text' } as const;
const backend = { type: 'string', value: 'B', description: `compute backend: ${BACKEND_NAMES.join(', ')}`, defaultText: 'auto' } as const;
const precision = (defaultText: string) =>
  ({
    type: 'string',
    value: PRECISIONS.join('|'),
    description: "backend cuda's convolutions and matrix products: fp32, or bf16 operands with fp32 accumulation and fp32 master weights (bf16 needs --backend cuda)",
    defaultText,
  }) as const;
const tf32 = (defaultText: string) =>
  ({ type: 'string', value: 'on|off', description: 'fp32 convolutions and matrix products may use TF32 tensor cores (a GPU only)', defaultText }) as const;

/** `mnf-tui train` and `mnf-tui` (the live console) */
export const TRAIN_FLAGS = {
  preset: { type: 'string', value: 'P', description: `named configuration: ${PRESET_NAMES.join(', ')}`, defaultText: `the config file's, else ${DEFAULT_PRESET}` },
  config: { type: 'string', value: 'F', description: 'JSON file of configuration keys over the preset (flags override it)' },
  dataset: {
    type: 'string',
    value: 'DIR',
    description: 'dataset folder in the seed layout',
    defaultText: fromPreset(defaults.dataset ?? 'the embedded default dataset'),
  },
  method: { type: 'string', value: 'M', description: METHOD_NAMES.join(', '), defaultText: fromPreset(defaults.method) },
  epochs: { type: 'string', value: 'N', description: 'epochs to train (with --resume: the new total)', defaultText: fromPreset(defaults.epochs) },
  batch: { type: 'string', value: 'N', description: `clips per step, at least ${MIN_BATCH} (BatchNorm)`, defaultText: fromPreset(defaults.batch) },
  seed: { type: 'string', value: 'N', description: 'seed of weights, sampling and augmentation', defaultText: fromPreset(defaults.seed) },
  out: { type: 'string', value: 'DIR', description: 'run folder', defaultText: 'runs/<time>-<preset>-<method>; with --resume, the checkpoint\'s run folder' },
  resume: {
    type: 'string',
    value: 'DIR',
    description: 'continue a run folder (its checkpoint-last) or a checkpoint; only --epochs, --out, --backend, --precision, --tf32 may change',
  },
  overwrite: { type: 'boolean', description: 'replace a run folder that already holds a run' },
  backend,
  precision: precision(`the config file's, else ${defaults.precision}; with --resume, the checkpoint's`),
  tf32: tf32(`the config file's, else ${defaults.tf32 ? 'on' : 'off'}; with --resume, the checkpoint's`),
  headless: { type: 'boolean', description: 'no console: JSON Lines on stdout, text on stderr' },
  'eval-every': { type: 'string', value: 'N', description: 'clip-level validation every N epochs (0: never during training)', defaultText: fromPreset(defaults.evalEvery) },
  'l1-original': { type: 'boolean', description: "the seed's gate L1, which reaches only the gate's second layer" },
  'local-csc': { type: 'boolean', description: "under mpirun or srun: CSC's negatives from each rank's own share instead of the global batch" },
  'sync-bn': { type: 'boolean', description: "under mpirun or srun: BatchNorm's batch statistics over every rank's share (SyncBatchNorm)" },
  'on-bad-sample': {
    type: 'string',
    value: ON_BAD_SAMPLE_POLICIES.join('|'),
    description: 'a faulty video: leave it out with a counted warning, or stop',
    defaultText: fromPreset(defaults.onBadSample),
  },
} as const satisfies Flags;

const CHECKPOINT = {
  checkpoint: { type: 'string', value: 'DIR', required: true, description: 'a checkpoint folder, or a run folder (its checkpoint-last)' },
  dataset: { type: 'string', value: 'DIR', description: 'dataset folder in the seed layout', defaultText: "the checkpoint's" },
  backend,
  json,
} as const satisfies Flags;

export const EVAL_FLAGS = {
  ...CHECKPOINT,
  precision: precision(DEFAULT_MATH_MODE.precision),
  tf32: tf32(DEFAULT_MATH_MODE.tf32 ? 'on' : 'off'),
} as const satisfies Flags;

export const RETRIEVE_FLAGS = {
  ...CHECKPOINT,
  k: { type: 'string', value: 'N', description: "K of the seed's mAP@K (the standard mAP uses every relevant item)", defaultText: `the checkpoint's retrievalK (${retrievalKs})` },
} as const satisfies Flags;

// The data defaults below restate src/data/synthetic.ts and src/data/ingest.ts.
export const MAKE_SYNTHETIC_FLAGS = {
  out: { type: 'string', value: 'DIR', required: true, description: 'dataset folder to write (seed layout)' },
  classes: { type: 'string', value: 'N', description: 'classes', defaultText: '6' },
  'videos-per-class': { type: 'string', value: 'N', description: 'videos per class', defaultText: '12' },
  frames: { type: 'string', value: 'N', description: 'frames per video', defaultText: '24' },
  size: { type: 'string', value: 'N', description: 'frame height in pixels (the width is 4/3 of it)', defaultText: '112' },
  noise: { type: 'string', value: 'R', description: 'share of videos whose teacher feature is an irrelevant sound', defaultText: '0' },
  partial: { type: 'string', value: 'R', description: "share of each teacher feature's channels replaced by noise", defaultText: '0' },
  seed: { type: 'string', value: 'N', description: 'generator seed', defaultText: '3' },
  'teacher-features': { type: 'string', value: 'DIR|ARCHIVE', description: 'real teacher features: a folder of <Class>/<id>.npy or the UCF51 .tar.gz', defaultText: 'generated 512-d features' },
  'val-fraction': { type: 'string', value: 'F', description: "share of each class's videos in the validation subset", defaultText: '0.25' },
  json,
} as const satisfies Flags;

export const INGEST_FLAGS = {
  videos: { type: 'string', value: 'DIR', required: true, description: 'folder of videos: class folders, or files named v_<Class>_gXX_cYY' },
  out: { type: 'string', value: 'DIR', required: true, description: 'dataset folder to write (seed layout)' },
  fps: { type: 'string', value: 'N', description: 'frames kept per second', defaultText: '4' },
  'short-side': { type: 'string', value: 'N', description: 'frames resized so the short side has N pixels (0: as they are)', defaultText: '240' },
  labels: { type: 'string', value: 'folder|ucf-name', description: 'where a video\'s class comes from', defaultText: 'ucf-name when every file has a UCF name, else folder' },
  'val-groups': { type: 'string', value: 'A-B', description: "UCF split rule: these groups go to validation (needs UCF names)" },
  'val-fraction': { type: 'string', value: 'F', description: "share of each class's videos in validation, chosen by a seeded shuffle", defaultText: '0.2' },
  'on-bad-sample': { type: 'string', value: ON_BAD_SAMPLE_POLICIES.join('|'), description: 'a video that cannot be read: skip it with a warning, or stop', defaultText: 'skip' },
  json,
} as const satisfies Flags;

export const INSPECT_FLAGS = {
  dataset: { type: 'string', value: 'DIR', required: true, description: 'dataset folder' },
  quick: { type: 'boolean', description: 'check files and headers only; do not decode every frame' },
  'clip-length': { type: 'string', value: 'N', description: 'warn about videos shorter than an N-frame clip', defaultText: '16' },
  annotation: { type: 'string', value: 'FILE', description: 'annotation file, relative to the dataset', defaultText: 'annotation.json' },
  'videos-folder': { type: 'string', value: 'DIR', description: 'video folder, relative to the dataset', defaultText: 'video_set_4fps' },
  'features-folder': { type: 'string', value: 'DIR', description: 'teacher feature folder, relative to the dataset', defaultText: 'audio_features' },
  json,
} as const satisfies Flags;

export const DOCTOR_FLAGS = { json } as const satisfies Flags;

export const REPORT_FLAGS = {
  out: {
    type: 'string',
    value: 'DIR',
    description: "report folder; with several runs, the comparison's (each run's own report goes to RUN/report)",
    defaultText: 'RUN/report; with several runs, report/ in the folder that holds them all',
  },
  backend: { ...backend, description: `backend of the evaluation behind the confusion matrix: ${BACKEND_NAMES.join(', ')}` },
} as const satisfies Flags;

export const BENCH_NAMES = ['kernels', 'csc', 'decode', 'step', 'scale'] as const;

const BENCH_SUMMARIES: Record<(typeof BENCH_NAMES)[number], string> = {
  kernels: "every convolution and matmul of a student step: the addon's kernels against tfjs and PyTorch",
  csc: 'the CSC loss forward+backward: the fused addon op against the same loss composed of tfjs ops',
  decode: 'train-transform clips/s through the addon against Python baselines on the same clips',
  step: 'one mnf-csc training step on the native backend against the same step in PyTorch',
  scale: 'data-parallel mnf-csc steps on backend native: 2 ranks × 1 thread (mpirun) against 1 rank × 2 threads at the same global batch',
};

const DATA_PAGES: Record<string, HelpPage> = {
  'make-synthetic': { summary: 'generate a synthetic dataset in the seed layout', flags: MAKE_SYNTHETIC_FLAGS },
  ingest: { summary: 'decode a folder of videos into the seed layout (JPEG frames in HDF5)', flags: INGEST_FLAGS },
  inspect: { summary: 'what a dataset holds and every problem found in it (exit 1 when videos are left out)', flags: INSPECT_FLAGS },
};

/** Help pages by command words ('' is the live console, which takes train's flags). */
export const HELP_PAGES: Record<string, HelpPage> = {
  '': { summary: "the live console on the default dataset (train's flags apply)", flags: TRAIN_FLAGS },
  train: { summary: 'train a video student: the live console, or --headless for JSON Lines', flags: TRAIN_FLAGS },
  eval: { summary: "top-1 of a checkpoint: clip-level validation and video-level test", flags: EVAL_FLAGS },
  retrieve: { summary: "validation videos query the training videos: the seed's mAP@K, the standard mAP, hit@k", flags: RETRIEVE_FLAGS },
  data: {
    summary: 'dataset tools (mnf-tui data NAME --help: its flags)',
    flags: {},
    subcommands: Object.fromEntries(Object.entries(DATA_PAGES).map(([name, page]) => [name, page.summary])),
  },
  ...Object.fromEntries(Object.entries(DATA_PAGES).map(([name, page]) => [`data ${name}`, page])),
  bench: {
    summary: 'benchmarks, each against a baseline measured in the same run (mnf-tui bench NAME --help: its flags)',
    flags: {},
    subcommands: BENCH_SUMMARIES,
  },
  doctor: { summary: 'what this machine offers: backends, CUDA devices, oneDNN, threads', flags: DOCTOR_FLAGS },
  report: {
    summary: "a run folder's figures in report.html and as SVG and PNG files; given several runs, a comparison too",
    flags: REPORT_FLAGS,
    operands: 'RUN...',
  },
};

const valueOf = (spec: FlagSpec) => (spec.type === 'string' ? ` ${spec.value ?? 'VALUE'}` : '');

function synopsis(words: string, page: HelpPage): string[] {
  const parts = [`mnf-tui${words ? ` ${words}` : ''}`];
  if (page.subcommands) parts.push(Object.keys(page.subcommands).join('|'));
  if (page.operands) parts.push(page.operands);
  for (const [name, spec] of Object.entries(page.flags)) parts.push(spec.required ? `--${name}${valueOf(spec)}` : `[--${name}${valueOf(spec)}]`);
  return parts;
}

/** `head` then `units` (words, or a synopsis's flags), wrapped at `width` columns; continuation lines indented by `indent`. */
function wrap(head: string, units: string | string[], width: number, indent: number): string {
  const lines: string[] = [];
  let line = head;
  for (const word of typeof units === 'string' ? units.split(' ').filter(Boolean) : units) {
    const fresh = line === '' || line.endsWith(' ');
    if (!fresh && line.length + 1 + word.length > width) {
      lines.push(line);
      line = ' '.repeat(indent) + word;
    } else line = fresh ? line + word : `${line} ${word}`;
  }
  return [...lines, line].join('\n');
}

/** `mnf-tui <words> --help`: the usage line, the summary, and each flag with its default. */
export function formatHelp(words: string, page: HelpPage): string {
  const rows: [string, string][] = Object.entries(page.flags).map(([name, spec]) => {
    const label = `${spec.short ? `-${spec.short}, ` : ''}--${name}${valueOf(spec)}`;
    const facts = [spec.description ?? '', spec.required ? '(required)' : ''];
    const shownDefault = spec.defaultText ?? (spec.default !== undefined ? String(spec.default) : undefined);
    if (shownDefault !== undefined) facts.push(`(default: ${shownDefault})`);
    return [label, facts.filter(Boolean).join(' ')];
  });
  rows.push(['-h, --help', 'this help']);
  const subcommands = Object.entries(page.subcommands ?? {});
  const column = Math.min(30, Math.max(...[...rows, ...subcommands].map(([label]) => label.length)) + 2);
  const lines = [wrap('usage: ', synopsis(words, page), 100, 8), ...(page.summary ? [page.summary] : [])];
  if (subcommands.length > 0) lines.push('', 'commands:', ...subcommands.map(([name, text]) => wrap(`  ${name.padEnd(column)}`, text, 100, column + 2)));
  lines.push('', 'flags:');
  for (const [label, text] of rows) {
    const head = `  ${label.padEnd(column)}`;
    if (head.length > column + 2) lines.push(`  ${label}`, wrap(' '.repeat(column + 2), text, 100, column + 2));
    else lines.push(wrap(head, text, 100, column + 2));
  }
  return lines.join('\n');
}

/** `mnf-tui --help`: every command's synopsis. */
export function globalUsage(): string {
  const lines = ['usage:'];
  for (const [words, page] of Object.entries(HELP_PAGES)) {
    if (page.subcommands && words !== 'bench') continue; // its subcommands have their own lines
    lines.push(words === '' ? "  mnf-tui [train's flags]" : wrap('  ', synopsis(words, page), 100, 6), `      ${page.summary}`);
  }
  lines.push(
    wrap('', `presets: ${PRESET_NAMES.join(', ')}; methods: ${METHOD_NAMES.join(', ')}; backends: ${BACKEND_NAMES.join(', ')}`, 100, 2),
    "mnf-tui COMMAND --help lists a command's flags with their defaults; mnf-tui --version prints the version.",
  );
  return lines.join('\n');
}
