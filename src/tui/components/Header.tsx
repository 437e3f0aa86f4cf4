import { Box, Text } from 'ink';
import { count } from '../../train/describe-event.js';
import type { EngineState, RunEvent } from '../../train/events.js';

const STATE_COLOURS: Record<EngineState, string> = {
  idle: 'gray',
  running: 'green',
  paused: 'yellow',
  evaluating: 'cyan',
  done: 'blue',
  failed: 'red',
};

export function Header({ run, state, warnings }: { run: RunEvent | null; state: EngineState; warnings: number }) {
  const dataset = run ? (run.config.dataset ?? 'default dataset') : '…';
  return (
    <Box borderStyle="round" paddingX={1} justifyContent="space-between">
      <Text>
        <Text bold>mnf-tui</Text> · {dataset} · method <Text bold>{run?.config.method ?? '…'}</Text> · {run?.backend ?? '…'} on{' '}
        {run?.device ?? '…'}
      </Text>
      <Text>
        {warnings > 0 ? <Text color="yellow">{count(warnings, 'warning')} · </Text> : null}
        <Text color={STATE_COLOURS[state]} bold>
          {state.toUpperCase()}
        </Text>
      </Text>
    </Box>
  );
}
