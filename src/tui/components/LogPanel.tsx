import { Text } from 'ink';
import { wrapText } from '../format.js';
import type { LogLine } from '../model.js';
import type { Lines } from './Section.js';

export const LOG_COLOURS: Record<LogLine['kind'], string | undefined> = {
  epoch: undefined,
  eval: 'green',
  warning: 'yellow',
  checkpoint: 'blue',
  error: 'red',
  info: 'gray',
};

/** The newest whole log entries, wrapped to `width`, that fit `rows` rows (oldest first); the newest one alone is cut to fit. */
export function recentLogLines(log: readonly LogLine[], width: number, rows: number): Lines {
  const shown: { entry: LogLine; text: string[] }[] = [];
  let used = 0;
  for (let i = log.length - 1; i >= 0 && used < rows; i--) {
    const entry = log[i]!;
    const text = entry.text.split('\n').flatMap((part) => wrapText(part, width));
    if (used + text.length > rows && shown.length > 0) break;
    const kept = text.slice(0, rows - used);
    shown.unshift({ entry, text: kept });
    used += kept.length;
  }
  return shown.flatMap(({ entry, text }) =>
    text.map((row, j) => (
      <Text key={`${entry.id}-${j}`} color={LOG_COLOURS[entry.kind]} wrap="truncate">
        {row}
      </Text>
    )),
  );
}
