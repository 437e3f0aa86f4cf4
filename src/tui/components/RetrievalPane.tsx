import { Box, Text } from 'ink';
import { retrievalParts } from '../../train/describe-event.js';
import type { RetrievalEvent, RetrievalQuery, Thumbnails } from '../../train/events.js';
import type { ColourDepth } from '../colour.js';
import { fit, fitPad, fixed, packParts, percent } from '../format.js';
import { thumbnailHeight, thumbnailRows } from '../thumbnail.js';

/** columns of a match row before its id: "10. ✓ 0.937 " */
const RANK_COLUMNS = 12;
const GAP = 2;
const widest = (texts: readonly string[]) => Math.max(0, ...texts.map((t) => [...t].length));

/** The query and its best matches as pictures side by side, with the rank and ✓/✗ under each. */
function ThumbnailStrip({ query, thumbnails, cells, colours }: { query: RetrievalQuery; thumbnails: Thumbnails; cells: number; colours: Exclude<ColourDepth, 'none'> }) {
  const { size } = thumbnails;
  const blank = Array.from({ length: thumbnailHeight(size) }, () => ' '.repeat(size));
  const picture = (id: string) => {
    const base64 = thumbnails.rgb[id];
    return (base64 && thumbnailRows(base64, size, colours)) || blank;
  };
  const shown = [picture(query.id), ...query.top.slice(0, cells - 1).map((hit) => picture(hit.id))];
  return (
    <Box flexDirection="column">
      {blank.map((_, row) => (
        <Text key={row} wrap="truncate">
          {shown.map((rows) => rows[row]).join(' ')}
        </Text>
      ))}
      <Text wrap="truncate">
        <Text bold>{fitPad('query', size)}</Text>
        {query.top.slice(0, cells - 1).map((hit, rank) => {
          const match = hit.label === query.label;
          return (
            <Text key={rank}>
              {' '}
              {fitPad(`${rank + 1}`, 3)}
              <Text color={match ? 'green' : 'red'}>{match ? '✓' : '✗'}</Text>
              {' '.repeat(Math.max(0, size - 4))}
            </Text>
          );
        })}
      </Text>
    </Box>
  );
}

/**
 * Pick a validation query (↑/↓) and see its 10 nearest training videos: the figures, the pictures
 * (when the terminal has colour and the event carries thumbnails), the queries and the matches.
 * Exactly `height` rows or fewer; ids and class names are cut only when the width is short.
 */
export function RetrievalPane({ retrieval, selected, width, height, colours }: { retrieval: RetrievalEvent | null; selected: number; width: number; height: number; colours: ColourDepth }) {
  if (!retrieval) return <Text dimColor wrap="truncate">retrieval running… (results appear here)</Text>;
  const { heading, figures } = retrievalParts(retrieval);
  const metrics = packParts([`${heading}:`, ...figures.map((f, i) => (i < figures.length - 1 ? `${f};` : f))], width);
  const queries = retrieval.results;
  const index = Math.max(0, Math.min(selected, queries.length - 1));
  const query = queries[index];

  const depth = colours === 'none' ? null : colours;
  const thumbnails = depth ? (retrieval.thumbnails ?? null) : null;
  const stripCells = thumbnails ? Math.min(1 + (query?.top.length ?? 0), Math.floor((width + 1) / (thumbnails.size + 1))) : 0;
  let stripRows = thumbnails && stripCells > 1 ? thumbnailHeight(thumbnails.size) + 1 : 0;
  // the lists keep at least 3 rows: the pictures go first, then figure rows
  if (height - metrics.length - stripRows - 1 < 3) stripRows = 0;
  const metricRows = Math.max(1, Math.min(metrics.length, height - stripRows - 4));
  const listRows = Math.max(1, height - metricRows - stripRows - 1);

  const queryIds = queries.map((q) => q.id);
  const queryClasses = queries.map((q) => q.className);
  const hits = queries.flatMap((q) => q.top);
  const hitId = widest(hits.map((h) => h.id));
  const hitClass = widest(hits.map((h) => h.className));
  const title = `query ${index + 1}/${queries.length} (↑/↓)`;
  const leftNatural = Math.max(title.length, widest(queryIds) + 1 + widest(queryClasses));
  const rightNatural = RANK_COLUMNS + hitId + 1 + hitClass;
  const left = Math.max(Math.min(leftNatural, 16), Math.min(leftNatural, width - GAP - rightNatural));
  const right = Math.max(1, width - GAP - left);
  const queryIdWidth = widest(queryIds);
  const withClass = queryIdWidth + 1 + widest(queryClasses) <= left;
  const idWidth = Math.max(1, Math.min(hitId, right - RANK_COLUMNS));
  const classWidth = Math.max(0, right - RANK_COLUMNS - idWidth - 1);

  const start = Math.max(0, Math.min(index - Math.floor(listRows / 2), queries.length - listRows));
  const visible = queries.slice(start, start + listRows);
  return (
    <Box flexDirection="column" width={width}>
      {metrics.slice(0, metricRows).map((line, i) => (
        <Text key={i} wrap="truncate" bold={i === 0}>
          {line}
        </Text>
      ))}
      {stripRows > 0 && thumbnails && depth && query ? <ThumbnailStrip query={query} thumbnails={thumbnails} cells={stripCells} colours={depth} /> : null}
      <Box flexDirection="row">
        <Box flexDirection="column" width={left} marginRight={GAP}>
          <Text dimColor wrap="truncate">
            {title}
          </Text>
          {visible.map((q, i) => (
            <Text key={q.id} inverse={start + i === index} wrap="truncate">
              {withClass ? `${q.id.padEnd(queryIdWidth)} ${q.className}` : fit(q.id, left)}
            </Text>
          ))}
        </Box>
        {query ? (
          <Box flexDirection="column" width={right}>
            <Text wrap="truncate">
              <Text bold>{query.id}</Text> · {query.className}
              {query.ap !== undefined ? <Text> · AP {percent(query.ap)}</Text> : null}
            </Text>
            {query.top.slice(0, listRows).map((hit, rank) => {
              const match = hit.label === query.label;
              return (
                <Text key={`${hit.id}-${rank}`} wrap="truncate">
                  {String(rank + 1).padStart(2)}. <Text color={match ? 'green' : 'red'}>{match ? '✓' : '✗'}</Text> {fixed(hit.score, 3)}{' '}
                  {fitPad(hit.id, idWidth)} {fit(hit.className, classWidth)}
                </Text>
              );
            })}
          </Box>
        ) : null}
      </Box>
    </Box>
  );
}
