import { Box, Text } from 'ink';
import { count } from '../../train/describe-event.js';
import type { EngineState, RunEvent } from '../../train/events.js';
import { fit } from '../format.js';

const STATE_COLOURS: Record<EngineState, string> = {
  idle: 'gray',
  running: 'green',
  paused: 'yellow',
  evaluating: 'cyan',
  done: 'blue',
  failed: 'red',
};

/** One row: what runs where on the left (cut when the row is short), warnings and the state on the right. */
export function Header({ run, state, warnings, width }: { run: RunEvent | null; state: EngineState; warnings: number; width: number }) {
  const dataset = run ? (run.config.dataset ?? 'default dataset') : '…';
  const what = ` · ${dataset} · method ${run?.config.method ?? '…'} · ${run?.backend ?? '…'} on ${run?.device ?? '…'}`;
  const warned = warnings > 0 ? `${count(warnings, 'warning')} · ` : '';
  const stateText = state.toUpperCase();
  // paddingX 1 on both sides, at least one space between the halves
  const room = Math.max(0, width - 2 - 1 - 'mnf-tui'.length - warned.length - stateText.length);
  return (
    <Box paddingX={1} justifyContent="space-between" width={width}>
      <Text wrap="truncate">
        <Text bold>mnf-tui</Text>
        {fit(what, room)}
      </Text>
      <Text wrap="truncate">
        {warned ? <Text color="yellow">{warned}</Text> : null}
        <Text color={STATE_COLOURS[state]} bold>
          {stateText}
        </Text>
      </Text>
    </Box>
  );
}
