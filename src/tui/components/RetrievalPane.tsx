import { Box, Text } from 'ink';
import { retrievalParts } from '../../train/describe-event.js';
import type { RetrievalEvent } from '../../train/events.js';
import { fixed, percent } from '../format.js';

/** Pick a validation query (↑/↓) and see its 10 nearest training videos. */
export function RetrievalPane({ retrieval, selected, height }: { retrieval: RetrievalEvent | null; selected: number; height: number }) {
  if (!retrieval) {
    return (
      <Box borderStyle="single" paddingX={1}>
        <Text dimColor>retrieval running… (results appear here)</Text>
      </Box>
    );
  }
  const { heading, figures } = retrievalParts(retrieval);
  const queries = retrieval.results;
  const index = Math.max(0, Math.min(selected, queries.length - 1));
  const query = queries[index];
  const listHeight = Math.max(3, height);
  const start = Math.max(0, Math.min(index - Math.floor(listHeight / 2), queries.length - listHeight));
  const visible = queries.slice(start, start + listHeight);
  return (
    <Box borderStyle="single" paddingX={1} flexDirection="column">
      <Box flexDirection="row" flexWrap="wrap" columnGap={1}>
        <Text bold>{heading}:</Text>
        {figures.map((figure, i) => (
          <Text key={i}>
            {figure}
            {i < figures.length - 1 ? ';' : ''}
          </Text>
        ))}
      </Box>
      <Box flexDirection="row">
        <Box flexDirection="column" width={34} marginRight={2}>
          <Text dimColor>query {index + 1}/{queries.length} (↑/↓)</Text>
          {visible.map((q, i) => (
            <Text key={q.id} inverse={start + i === index} wrap="truncate">
              {q.id.slice(0, 20).padEnd(20)} {q.className.slice(0, 11)}
            </Text>
          ))}
        </Box>
        {query ? (
          <Box flexDirection="column" flexGrow={1}>
            <Text>
              <Text bold>{query.id}</Text> · {query.className}
              {query.ap !== undefined ? <Text> · AP {percent(query.ap)}</Text> : null}
            </Text>
            {query.top.map((hit, rank) => {
              const match = hit.label === query.label;
              return (
                <Text key={`${hit.id}-${rank}`} wrap="truncate">
                  {String(rank + 1).padStart(2)}. <Text color={match ? 'green' : 'red'}>{match ? '✓' : '✗'}</Text> {fixed(hit.score, 3)}{' '}
                  {hit.id.slice(0, 24).padEnd(24)} {hit.className}
                </Text>
              );
            })}
          </Box>
        ) : null}
      </Box>
    </Box>
  );
}
