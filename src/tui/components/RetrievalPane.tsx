import { Box, Text } from 'ink';
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
  const queries = retrieval.results;
  const index = Math.max(0, Math.min(selected, queries.length - 1));
  const query = queries[index];
  const listHeight = Math.max(3, height);
  const start = Math.max(0, Math.min(index - Math.floor(listHeight / 2), queries.length - listHeight));
  const visible = queries.slice(start, start + listHeight);
  return (
    <Box borderStyle="single" paddingX={1} flexDirection="column">
      <Text>
        <Text bold>retrieval</Text> (after {retrieval.epoch} epochs) · {retrieval.seedMapAtK.label} <Text bold>{percent(retrieval.seedMapAtK.value)}</Text> ·{' '}
        {retrieval.map.label} <Text bold>{percent(retrieval.map.value)}</Text> · hit@1/5/10 {percent(retrieval.hitAt[1])}/{percent(retrieval.hitAt[5])}/
        {percent(retrieval.hitAt[10])} · {retrieval.queries} queries, {retrieval.gallery} videos
      </Text>
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
