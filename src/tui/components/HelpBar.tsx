import { Box, Text } from 'ink';
import { fit } from '../format.js';
import type { Lines } from './Section.js';

/** key, what it does, and the short word the bar uses when the long ones do not fit */
export const KEYS: [string, string, string][] = [
  ['s', 'start', 'start'],
  ['p', 'pause / resume', 'pause'],
  ['e', 'evaluate now', 'eval'],
  ['r', 'retrieval pane', 'retrieval'],
  ['c', 'save checkpoint', 'save'],
  ['tab', 'switch pane', 'pane'],
  ['?', 'help', 'help'],
  ['q', 'quit', 'quit'],
];

const DROP_ORDER = ['tab', 'c', 'e', 'r', 'p', 's'];

/** The keys in one row: their long names when they fit, else the short ones. */
export function HelpBar({ width, idle }: { width: number; idle: boolean }) {
  const room = Math.max(0, width - 2);
  if (idle) {
    return (
      <Box paddingX={1} width={width}>
        <Text color="green" wrap="truncate">
          {fit('press s to start training · ? help · q quit', room)}
        </Text>
      </Box>
    );
  }
  const long = KEYS.map(([key, what]) => `${key} ${what}`).join(' · ');
  let keys = KEYS;
  let short = keys.map(([key, , word]) => `${key} ${word}`).join(' · ');
  // still too long: leave out keys, the least used first; ? (which lists them all) and q stay
  for (const dropped of DROP_ORDER) {
    if (short.length <= room) break;
    keys = keys.filter(([key]) => key !== dropped);
    short = keys.map(([key, , word]) => `${key} ${word}`).join(' · ');
  }
  return (
    <Box paddingX={1} width={width}>
      <Text dimColor wrap="truncate">
        {fit(long.length <= room ? long : short, room)}
      </Text>
    </Box>
  );
}

export function helpLines(): Lines {
  return [
    ...KEYS.map(([key, what]) => (
      <Text key={key} wrap="truncate">
        <Text bold>{key.padEnd(5)}</Text> {what}
      </Text>
    )),
    <Text key="arrows" wrap="truncate">
      {'↑/↓  '} choose a query in the retrieval pane
    </Text>,
    <Text key="note" dimColor wrap="truncate">
      Quitting while training saves a checkpoint first.
    </Text>,
    <Text key="numbers" dimColor wrap="truncate">
      Every number shown comes from the engine's events.
    </Text>,
  ];
}
