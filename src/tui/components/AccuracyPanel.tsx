import { Text } from 'ink';
import { progressStamp } from '../../train/describe-event.js';
import type { EpochEvent, EvalEvent, StepEvent } from '../../train/events.js';
import { percent, sparkline } from '../format.js';
import type { Lines } from './Section.js';

export function accuracyLines(evals: EvalEvent[], epochs: EpochEvent[], lastStep: StepEvent | null, width: number): Lines {
  const last = evals[evals.length - 1];
  const best = evals.reduce<EvalEvent | undefined>((b, e) => (e.mode === 'val' && (!b || e.top1 > b.top1) ? e : b), undefined);
  const lastEpoch = epochs[epochs.length - 1];
  const chartWidth = Math.max(4, width - 14);
  return [
    <Text key="last" wrap="truncate">
      {last?.mode === 'test' ? 'test' : 'validation'} top-1 <Text bold>{percent(last?.top1)}</Text> top-5 {percent(last?.top5)}
    </Text>,
    <Text key="when" wrap="truncate" dimColor>
      {last ? `${last.level}-level ${progressStamp(last)}` : 'no evaluation yet'}
    </Text>,
    <Text key="best" wrap="truncate">
      best {percent(best?.top1)} · train {percent(lastEpoch?.trainAccuracy)} · batch {percent(lastStep?.accuracy)}
    </Text>,
    <Text key="val" wrap="truncate">
      {'val history  '} <Text color="green">{sparkline(evals.map((e) => e.top1), chartWidth)}</Text>
    </Text>,
    <Text key="train" wrap="truncate">
      {'train history'} <Text color="green">{sparkline(epochs.map((e) => e.trainAccuracy), chartWidth)}</Text>
    </Text>,
  ];
}
