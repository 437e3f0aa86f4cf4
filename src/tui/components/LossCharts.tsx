import { Box, Text } from 'ink';
import { lossLabel } from '../../train/describe-event.js';
import { fixed, sparkline } from '../format.js';

/** One line per loss term the method reports: name, latest value, sparkline of the step values. */
export function LossCharts({ history, width }: { history: Record<string, number[]>; width: number }) {
  const terms = Object.keys(history);
  const chartWidth = Math.max(8, width - 24);
  return (
    <Box flexDirection="column" borderStyle="single" paddingX={1}>
      <Text bold>losses (per step)</Text>
      {terms.length === 0 ? <Text dimColor>waiting for the first step…</Text> : null}
      {terms.map((term) => {
        const values = history[term]!;
        return (
          <Text key={term}>
            {lossLabel(term).padEnd(11)} {fixed(values[values.length - 1], 4).padStart(8)}{' '}
            <Text color="cyan">{sparkline(values, chartWidth)}</Text>
          </Text>
        );
      })}
    </Box>
  );
}
