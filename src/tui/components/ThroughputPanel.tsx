import { Text } from 'ink';
import type { StepEvent } from '../../train/events.js';
import { fixed, percent } from '../format.js';
import { learningRates } from '../model.js';
import type { Lines } from './Section.js';

const rate = (x: number | null) => (x === null ? '—' : x.toExponential(1));

/** "2 ranks: 3.7/3.3 clips/s, wait 1.0%/0.3%" */
function ranksSummary(ranks: NonNullable<StepEvent['ranks']>): string {
  const speeds = ranks.map((r) => fixed(r.clipsPerSecond, 1)).join('/');
  const waits = ranks.map((r) => percent(r.dataWaitShare)).join('/');
  return `${ranks.length} ranks: ${speeds} clips/s, wait ${waits}`;
}

export function throughputLines(lastStep: StepEvent | null): Lines {
  const wait = lastStep?.dataWaitShare;
  const lr = lastStep ? learningRates(lastStep.lr) : null;
  return [
    <Text key="speed" wrap="truncate">
      clips/s {fixed(lastStep?.clipsPerSecond, 1)} · ms/step {fixed(lastStep?.ms, 0)}
    </Text>,
    <Text key="wait" wrap="truncate">
      data wait <Text color={wait !== undefined && wait > 0.05 ? 'yellow' : undefined}>{percent(wait)}</Text>
      {lastStep?.ranks ? ` · ${ranksSummary(lastStep.ranks)}` : ''}
    </Text>,
    <Text key="lr" wrap="truncate">
      lr student {lr ? rate(lr.student) : '—'} · head {lr ? rate(lr.head) : '—'}
    </Text>,
  ];
}
