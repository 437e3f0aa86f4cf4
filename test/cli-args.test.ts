// Flag parsing: a value that starts with a dash reads as the value (`--epochs -1` is `--epochs=-1`),
// a flag without its value and malformed numbers end in one line naming the flag.
import { describe, expect, it } from 'vitest';
import { intFlag, numberFlag, parseFlags, UsageError } from '../src/commands/args.js';
import { cli } from './cli-process.js';

const FLAGS = { epochs: { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean' } } as const;

describe('parseFlags', () => {
  it('takes a dash-led word after a value flag as its value, unless it is one of the flags', () => {
    expect(parseFlags(['--epochs', '-1'], FLAGS).values).toEqual({ epochs: '-1' });
    expect(parseFlags(['--out', '-dir-', '--json'], FLAGS).values).toEqual({ out: '-dir-', json: true });
    expect(() => parseFlags(['--out', '--json'], FLAGS)).toThrow(/^--out: expected a value, got the flag '--json'/);
    expect(() => parseFlags(['--json', '--epochs'], FLAGS)).toThrow(/^--epochs: expected a value$/);
  });

  it('unknown flags, values on switches and stray words end in one line', () => {
    for (const [args, message] of [
      [['--bogus'], /^unknown flag '--bogus'/],
      [['--json=1'], /^--json: takes no value$/],
      [['stray'], /^unexpected argument 'stray'/],
    ] as const) {
      expect(() => parseFlags([...args], FLAGS)).toThrow(UsageError);
      expect(() => parseFlags([...args], FLAGS)).toThrow(message);
    }
  });
});

describe('number flags', () => {
  it('accept plain integers and decimals only (Number() reads "" as 0 and " 3" or "0x10" as numbers)', () => {
    expect(intFlag('12', '--epochs')).toBe(12);
    expect(numberFlag('0.25', '--val-fraction', 0, 1)).toBe(0.25);
    expect(numberFlag('1e-3', '--noise', 0, 1)).toBe(0.001);
    for (const bad of ['', ' 3', '0x10', '1e3', '3.0', 'Infinity']) {
      expect(() => intFlag(bad, '--epochs'), bad).toThrow(new RegExp(`^--epochs: expected an integer >= 0, got '${bad}'$`));
    }
    for (const bad of ['', '0x1', ' .5', 'NaN']) expect(() => numberFlag(bad, '--noise', 0, 1), bad).toThrow(/^--noise: expected a number in \[0, 1\]/);
  });
});

describe('every command reads `--flag -1` as `--flag=-1`', () => {
  it.each([
    ['train', ['train', '--headless'], '--epochs'],
    ['retrieve', ['retrieve', '--checkpoint', 'none'], '--k'],
    ['data make-synthetic', ['data', 'make-synthetic', '--out', 'never'], '--classes'],
    ['data ingest', ['data', 'ingest', '--videos', '.', '--out', 'never'], '--fps'],
    ['data inspect', ['data', 'inspect', '--dataset', '.'], '--clip-length'],
  ])('%s', (_name, command, flag) => {
    const spaced = cli([...command, flag, '-1']);
    const joined = cli([...command, `${flag}=-1`]);
    expect(spaced.code).toBe(2);
    expect(spaced.stderr).toBe(joined.stderr);
    expect(spaced.stderr.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`^mnf-tui: ${flag}: expected .*, got '-1'$`))]);
  }, 60_000);
});
