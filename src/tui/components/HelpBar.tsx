import { Box, Text } from 'ink';

export const KEYS: [string, string][] = [
  ['s', 'start'],
  ['p', 'pause / resume'],
  ['e', 'evaluate now'],
  ['r', 'retrieval pane'],
  ['c', 'save checkpoint'],
  ['tab', 'switch pane'],
  ['?', 'help'],
  ['q', 'quit'],
];

export function HelpBar() {
  return (
    <Box paddingX={1}>
      <Text dimColor>{KEYS.map(([key, what]) => `${key} ${what}`).join(' · ')}</Text>
    </Box>
  );
}

export function HelpPane() {
  return (
    <Box borderStyle="double" paddingX={1} flexDirection="column">
      <Text bold>keys</Text>
      {KEYS.map(([key, what]) => (
        <Text key={key}>
          <Text bold>{key.padEnd(5)}</Text> {what}
        </Text>
      ))}
      <Text>↑/↓   choose a query in the retrieval pane</Text>
      <Text dimColor>Quitting while training saves a checkpoint first. Every number shown comes from the engine's events.</Text>
    </Box>
  );
}
