import { Text } from 'ink';
import type { LossTerm } from '../../train/events.js';
import { fixed, sparkline } from '../format.js';
import type { Lines } from './Section.js';

/** One row per loss term of the method: label, latest step value, sparkline of the step values. */
export function lossLines(terms: readonly LossTerm[], history: Record<string, number[]>, width: number): Lines {
  if (terms.length === 0) return [<Text key="wait" dimColor>waiting for the first step…</Text>];
  const labelWidth = Math.max(...terms.map((t) => [...t.label].length));
  const chartWidth = Math.max(4, width - labelWidth - 10);
  return terms.map(({ key, label }) => {
    const values = history[key] ?? [];
    return (
      <Text key={key} wrap="truncate">
        {label.padEnd(labelWidth)} {fixed(values[values.length - 1], 4).padStart(8)} <Text color="cyan">{sparkline(values, chartWidth)}</Text>
      </Text>
    );
  });
}
