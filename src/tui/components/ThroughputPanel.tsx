import { Text } from 'ink';
import type { StepEvent } from '../../train/events.js';
import { fixed, percent } from '../format.js';
import { learningRates } from '../model.js';
import type { Lines } from './Section.js';

const rate = (x: number | null) => (x === null ? '—' : x.toExponential(1));

export function throughputLines(lastStep: StepEvent | null): Lines {
  const wait = lastStep?.dataWaitShare;
  const lr = lastStep ? learningRates(lastStep.lr) : null;
  // a data-parallel job: each rank's figures, rank order, in place of ms/step
  const ranks = lastStep?.ranks;
  return [
    <Text key="speed" wrap="truncate">
      clips/s {fixed(lastStep?.clipsPerSecond, 1)} ·{' '}
      {ranks ? `ranks ${ranks.map((r) => fixed(r.clipsPerSecond, 1)).join('/')}` : `ms/step ${fixed(lastStep?.ms, 0)}`}
    </Text>,
    <Text key="wait" wrap="truncate">
      data wait <Text color={wait !== undefined && wait > 0.05 ? 'yellow' : undefined}>{percent(wait)}</Text>
      {ranks ? ` · ranks ${ranks.map((r) => percent(r.dataWaitShare)).join('/')}` : ''}
    </Text>,
    <Text key="lr" wrap="truncate">
      lr student {lr ? rate(lr.student) : '—'} · head {lr ? rate(lr.head) : '—'}
    </Text>,
  ];
}
