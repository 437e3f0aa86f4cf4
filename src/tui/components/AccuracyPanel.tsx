import { Box, Text } from 'ink';
import { progressStamp } from '../../train/describe-event.js';
import type { EpochEvent, EvalEvent, StepEvent } from '../../train/events.js';
import { percent, sparkline } from '../format.js';

export function AccuracyPanel({ evals, epochs, lastStep, width }: { evals: EvalEvent[]; epochs: EpochEvent[]; lastStep: StepEvent | null; width: number }) {
  const last = evals[evals.length - 1];
  const best = evals.reduce<EvalEvent | undefined>((b, e) => (e.mode === 'val' && (!b || e.top1 > b.top1) ? e : b), undefined);
  const lastEpoch = epochs[epochs.length - 1];
  const chartWidth = Math.max(8, width - 22);
  return (
    <Box flexDirection="column" borderStyle="single" paddingX={1}>
      <Text bold>accuracy</Text>
      <Text>
        {last?.mode === 'test' ? 'test' : 'validation'} top-1 <Text bold>{percent(last?.top1)}</Text> top-5 {percent(last?.top5)}
      </Text>
      {last ? <Text dimColor>  {last.level}-level {progressStamp(last)}</Text> : null}
      <Text>best top-1      {percent(best?.top1)}</Text>
      <Text>
        train (epoch)   {percent(lastEpoch?.trainAccuracy)} · batch {percent(lastStep?.accuracy)}
      </Text>
      <Text>
        val history     <Text color="green">{sparkline(evals.map((e) => e.top1), chartWidth)}</Text>
      </Text>
      <Text>
        train history   <Text color="green">{sparkline(epochs.map((e) => e.trainAccuracy), chartWidth)}</Text>
      </Text>
    </Box>
  );
}
