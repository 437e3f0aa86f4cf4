// Shared flag parsing for subcommands: unknown flags and bad values end in one UsageError line;
// --help anywhere (before `--`) asks for the command's help page instead (HelpRequest).
import { parseArgs, type ParseArgsConfig } from 'node:util';

export class UsageError extends Error {
  override name = 'UsageError';
}

/** Thrown by parseFlags for --help / -h: the command line prints `flags` as help and exits 0. */
export class HelpRequest extends Error {
  override name = 'HelpRequest';
  constructor(readonly flags: Readonly<Record<string, FlagSpec>>) {
    super('help requested');
  }
}

type ParseOption = NonNullable<ParseArgsConfig['options']>[string];

/** A parseArgs option, plus what a help page shows about it. */
export type FlagSpec = ParseOption & {
  /** what the value is, in the usage line: DIR, N, F… */
  value?: string;
  /** one line */
  description?: string;
  /** what applies without the flag, in words (parseArgs' own `default` is not used for this) */
  defaultText?: string;
  required?: boolean;
};

type Options = Record<string, FlagSpec>;

export const isHelpFlag = (token: string) => token === '--help' || token === '-h';

/** --help or -h among the flags (a `--` ends the flags). */
export function wantsHelp(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).some(isHelpFlag);
}

function isKnownFlag(token: string, options: Options): boolean {
  if (isHelpFlag(token)) return true;
  if (token.startsWith('--')) return Object.hasOwn(options, token.slice(2).split('=')[0]!);
  return token.length === 2 && Object.values(options).some((o) => o.short === token[1]);
}

function specOf(token: string, options: Options): [string, FlagSpec] | undefined {
  if (token.startsWith('--') && !token.includes('=')) {
    const name = token.slice(2);
    return Object.hasOwn(options, name) ? [`--${name}`, options[name]!] : undefined;
  }
  if (/^-[^-]$/.test(token)) {
    const entry = Object.entries(options).find(([, o]) => o.short === token[1]);
    return entry ? [`--${entry[0]}`, entry[1]] : undefined;
  }
  return undefined;
}

/**
 * `--epochs -1` reads as `--epochs=-1` (parseArgs calls a value that starts with a dash
 * ambiguous), unless the next word is itself one of the command's flags.
 */
function attachValues(argv: readonly string[], options: Options): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === '--') {
      out.push(...argv.slice(i));
      break;
    }
    const spec = specOf(token, options);
    if (spec?.[1].type === 'string') {
      const next = argv[i + 1];
      if (next === undefined) throw new UsageError(`${spec[0]}: expected a value`);
      if (next.startsWith('-') && isKnownFlag(next, options)) {
        throw new UsageError(`${spec[0]}: expected a value, got the flag '${next}' (write ${spec[0]}=${next} for a value that starts with a dash)`);
      }
      out.push(`${spec[0]}=${next}`);
      i++;
      continue;
    }
    out.push(token);
  }
  return out;
}

function usageMessage(err: Error & { code?: string }): string {
  const first = err.message.split('\n')[0]!;
  const unknown = /^Unknown option '(.*)'/.exec(first);
  if (unknown) return `unknown flag '${unknown[1]}' (--help lists the flags)`;
  const noValue = /^Option '(.*)' does not take an argument/.exec(first);
  if (noValue) return `${noValue[1]}: takes no value`;
  const positional = /^Unexpected argument '(.*)'/.exec(first);
  if (positional) return `unexpected argument '${positional[1]}' (--help lists the flags)`;
  return first;
}

export function parseFlags<O extends Options>(argv: string[], options: O, allowPositionals = false) {
  if (wantsHelp(argv)) throw new HelpRequest(options);
  const args = attachValues(argv, options);
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (err) {
    throw new UsageError(usageMessage(err as Error));
  }
}

const INTEGER = /^[+-]?\d+$/;
// a plain decimal: no hex, no empty string, no surrounding spaces (Number() accepts all three)
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

export function intFlag(value: string | undefined, flag: string, min = 0): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!INTEGER.test(value) || !Number.isSafeInteger(n) || n < min) throw new UsageError(`${flag}: expected an integer >= ${min}, got '${value}'`);
  return n;
}

export function numberFlag(value: string | undefined, flag: string, min = -Infinity, max = Infinity): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!DECIMAL.test(value) || !Number.isFinite(n) || n < min || n > max) {
    throw new UsageError(`${flag}: expected a number in [${min}, ${max}], got '${value}'`);
  }
  return n;
}

export function choiceFlag<T extends string>(value: string | undefined, flag: string, choices: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!choices.includes(value as T)) throw new UsageError(`${flag}: expected one of ${choices.join(', ')}, got '${value}'`);
  return value as T;
}
