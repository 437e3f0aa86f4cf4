import { Box, Text } from 'ink';
import { count, epochInProgress } from '../../train/describe-event.js';
import type { RunEvent, StepEvent } from '../../train/events.js';
import { bar, duration } from '../format.js';

export function ProgressPanel({ run, lastStep, width }: { run: RunEvent | null; lastStep: StepEvent | null; width: number }) {
  const epochs = run?.config.epochs ?? 0;
  const perEpoch = lastStep?.batchesPerEpoch ?? run?.batchesPerEpoch ?? 0;
  const batch = lastStep?.batch ?? 0;
  const completed = lastStep ? lastStep.epoch + (batch === perEpoch ? 1 : 0) : (run?.resumedFrom?.epoch ?? 0);
  const current = lastStep ? epochInProgress(lastStep) : Math.min(completed + 1, epochs);
  // remaining steps at the last step's pace
  const eta = lastStep ? (((epochs - lastStep.epoch - 1) * perEpoch + (perEpoch - batch)) * lastStep.ms) / 1000 : NaN;
  const barWidth = Math.max(10, width - 48);
  return (
    <Box flexDirection="column" paddingX={1}>
      <Text>
        epoch {`${current}/${epochs}`.padStart(11)} {bar(epochs ? completed / epochs : 0, barWidth)}
      </Text>
      <Text>
        step  {`${batch}/${perEpoch}`.padStart(11)} {bar(perEpoch ? batch / perEpoch : 0, barWidth)} ETA {duration(eta)} · {count(lastStep?.step ?? 0, 'step')}
      </Text>
    </Box>
  );
}
