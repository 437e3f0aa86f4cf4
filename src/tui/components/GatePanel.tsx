import { Box, Text } from 'ink';
import { gateSummary, gateValue } from '../../train/describe-event.js';
import type { GateEvent } from '../../train/events.js';
import { histogram, sparkline } from '../format.js';

/** The MNF filter at work: how gate values spread over [0, 1] and how their mean moves. */
export function GatePanel({ gate, meanHistory, width }: { gate: GateEvent | null; meanHistory: number[]; width: number }) {
  if (!gate) {
    return (
      <Box flexDirection="column" borderStyle="single" paddingX={1}>
        <Text bold>MNF gate</Text>
        <Text dimColor>no gate statistics yet (methods with MNF only)</Text>
      </Box>
    );
  }
  const classes = gate.perClass.filter((c) => c.mean !== null).sort((a, b) => a.mean! - b.mean!);
  const shown = [...classes.slice(0, 2), ...classes.slice(-2)].filter((c, i, all) => all.indexOf(c) === i);
  return (
    <Box flexDirection="column" borderStyle="single" paddingX={1}>
      <Text bold>MNF gate</Text>
      <Text>
        0 <Text color="magenta">{histogram(gate.histogram)}</Text> 1
      </Text>
      <Text>{gateSummary(gate)}</Text>
      <Text>
        mean over time <Text color="magenta">{sparkline(meanHistory, Math.max(8, width - 20))}</Text>
      </Text>
      {shown.map((c) => (
        <Text key={c.label} dimColor>
          {c.name.slice(0, 16).padEnd(16)} {gateValue(c.mean!)}
        </Text>
      ))}
    </Box>
  );
}
