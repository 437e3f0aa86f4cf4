import { Box, Text } from 'ink';
import { count, epochInProgress } from '../../train/describe-event.js';
import type { RunEvent, StepEvent } from '../../train/events.js';
import { bar, duration } from '../format.js';

/** Epoch and step progress: two rows with long bars, or one row (`compact`) with two short ones. */
export function ProgressPanel({ run, lastStep, width, compact }: { run: RunEvent | null; lastStep: StepEvent | null; width: number; compact: boolean }) {
  const epochs = run?.config.epochs ?? 0;
  const perEpoch = lastStep?.batchesPerEpoch ?? run?.batchesPerEpoch ?? 0;
  const batch = lastStep?.batch ?? 0;
  const completed = lastStep ? lastStep.epoch + (batch === perEpoch ? 1 : 0) : (run?.resumedFrom?.epoch ?? 0);
  const current = lastStep ? epochInProgress(lastStep) : Math.min(completed + 1, epochs);
  // remaining steps at the last step's pace
  const eta = lastStep ? (((epochs - lastStep.epoch - 1) * perEpoch + (perEpoch - batch)) * lastStep.ms) / 1000 : NaN;
  const epochText = `${current}/${epochs}`;
  const stepText = `${batch}/${perEpoch}`;
  const tail = `ETA ${duration(eta)} · ${count(lastStep?.step ?? 0, 'step')}`;
  const epochFraction = epochs ? completed / epochs : 0;
  const stepFraction = perEpoch ? batch / perEpoch : 0;
  if (compact) {
    const fixedText = `epoch ${epochText}  · step ${stepText}  · ${tail}`.length + 2;
    const barWidth = Math.max(4, Math.floor((width - fixedText) / 2));
    return (
      <Box paddingX={1} width={width}>
        <Text wrap="truncate">
          epoch {epochText} {bar(epochFraction, barWidth)} · step {stepText} {bar(stepFraction, barWidth)} · {tail}
        </Text>
      </Box>
    );
  }
  const barWidth = Math.max(10, width - 48);
  return (
    <Box flexDirection="column" paddingX={1} width={width}>
      <Text wrap="truncate">
        epoch {epochText.padStart(11)} {bar(epochFraction, barWidth)}
      </Text>
      <Text wrap="truncate">
        step {stepText.padStart(11)} {bar(stepFraction, barWidth)} {tail}
      </Text>
    </Box>
  );
}
