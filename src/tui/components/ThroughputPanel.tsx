import { Box, Text } from 'ink';
import type { StepEvent } from '../../train/events.js';
import { fixed, percent } from '../format.js';

export function ThroughputPanel({ lastStep }: { lastStep: StepEvent | null }) {
  const wait = lastStep?.dataWaitShare;
  return (
    <Box flexDirection="column" borderStyle="single" paddingX={1}>
      <Text bold>throughput</Text>
      <Text>clips/s    {fixed(lastStep?.clipsPerSecond, 1)}</Text>
      <Text>ms/step    {fixed(lastStep?.ms, 0)}</Text>
      <Text>
        data wait  <Text color={wait !== undefined && wait > 0.05 ? 'yellow' : undefined}>{percent(wait)}</Text>
      </Text>
      <Text>
        lr         {lastStep ? `${lastStep.lr.student.toExponential(1)} / ${lastStep.lr.mnf.toExponential(1)}` : '—'}
      </Text>
    </Box>
  );
}
